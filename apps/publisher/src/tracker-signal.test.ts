import { test } from 'node:test';
import assert from 'node:assert/strict';
import { whyNotOurTracker } from './tracker-signal.js';

const written = 1_000_000;
const node = (startedAtMs: number) => ({ cmdline: ['/usr/bin/node', '/opt/x/dist/apps/tracker/src/main.js'], comm: 'node', startedAtMs });

test('a node process that was running when the pid file was written is the tracker', () => {
  assert.equal(whyNotOurTracker(42, node(written - 5000), written), null);
  assert.equal(whyNotOurTracker(42, node(written + 500), written), null, 'within the clock slack');
});

test('a stale pid: gone, reused by another program, or by a process started later', () => {
  assert.match(whyNotOurTracker(42, null, written) ?? '', /no process 42 is running/);
  assert.match(whyNotOurTracker(42, { cmdline: ['sleep', '1000'], comm: 'sleep', startedAtMs: written - 5000 }, written) ?? '', /not a tracker but "sleep 1000"/);
  assert.match(whyNotOurTracker(42, node(written + 60_000), written) ?? '', /started after the pid file was written/);
});
