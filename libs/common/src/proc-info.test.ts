import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseStartTicks, parseUptimeSeconds, readProcess, startedAtMs } from './proc-info.js';

test('start time from /proc/PID/stat, even with ") " in the process name', () => {
  const rest = 'S 1 2 3 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 30705 5365760';
  assert.equal(parseStartTicks(`7905 (bash) ${rest}`), 30705);
  assert.equal(parseStartTicks(`7905 (a) b (c) ${rest}`), 30705);
  assert.equal(parseStartTicks('garbage'), null);
  assert.equal(parseUptimeSeconds('607.39 672.64\n'), 607.39);
  assert.equal(startedAtMs(30705, 607.39, 1_000_000), 1_000_000 - (607.39 - 307.05) * 1000);
});

test('property: the stat parser never throws', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (s) => {
      const v = parseStartTicks(s);
      assert.ok(v === null || Number.isInteger(v));
    }),
    { seed: 42, numRuns: 3000 },
  );
});

test('this process: a node started before now', { skip: process.platform !== 'linux' }, () => {
  const me = readProcess(process.pid);
  assert.ok(me);
  assert.ok(me.startedAtMs <= Date.now() + 50);
  assert.ok(Date.now() - me.startedAtMs < 3_600_000);
  assert.equal(readProcess(4_194_000), null);
});
