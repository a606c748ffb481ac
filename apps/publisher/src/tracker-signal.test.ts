import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createTrackerSignaller, type ProbeAnswer, whyNotOurTracker } from './tracker-signal.js';

const written = 1_000_000;
const node = (startedAtMs: number) => ({ cmdline: ['/usr/bin/node', '/opt/x/dist/apps/tracker/src/main.js'], comm: 'node', startedAtMs });

test('a node process that was running when the pid file was written is the tracker', () => {
  assert.equal(whyNotOurTracker(42, node(written - 5000), written), null);
  assert.equal(whyNotOurTracker(42, node(written + 500), written), null, 'within the clock slack');
});

test('a stale pid: gone, reused by another program, or by a process started later', () => {
  assert.match(whyNotOurTracker(42, null, written) ?? '', /no process 42 is running/);
  assert.match(
    whyNotOurTracker(42, { cmdline: ['sleep', '1000'], comm: 'sleep', startedAtMs: written - 5000 }, written) ?? '',
    /not a tracker but "sleep 1000"/,
  );
  assert.match(whyNotOurTracker(42, node(written + 60_000), written) ?? '', /started after the pid file was written/);
});

const log = pino({ level: 'silent' }, new Writable({ write: (_c, _e, cb) => cb() }));
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

test('in process: requests within the window share one reload, and settled() resolves when it is done', async () => {
  let reloads = 0;
  let finish!: () => void;
  const s = createTrackerSignaller({
    pidFile: '/nonexistent',
    reloadCommand: null,
    coalesceMs: 30,
    timeoutMs: 1000,
    log,
    reloadInProcess: () => {
      reloads++;
      return new Promise<void>((r) => {
        finish = r;
      });
    },
  });
  s.request([A]);
  const first = s.settled();
  s.request([B]);
  const second = s.settled();
  let done = false;
  void first.then(() => {
    done = true;
  });
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(reloads, 1, 'one reload for both');
  assert.equal(done, false, 'not settled while the tracker reloads');
  finish();
  assert.equal(await first, 'confirmed');
  assert.equal(await second, 'confirmed');
  // a request during a reload gets a reload of its own, after that one
  s.request([A]);
  const third = s.settled();
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(reloads, 2);
  finish();
  assert.equal(await third, 'confirmed');
});

test('SIGHUP: no tracker -> not-running at once; a tracker -> confirmed once the probe says yes, unconfirmed when it cannot tell', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'signal-'));
  const pidFile = path.join(dir, 'tracker.pid');
  try {
    let asked = 0;
    const down = createTrackerSignaller({
      pidFile,
      reloadCommand: null,
      coalesceMs: 0,
      timeoutMs: 1000,
      log,
      probe: async () => {
        asked++;
        return null;
      },
    });
    down.request([A]);
    assert.equal(await down.settled(), 'not-running');
    assert.equal(asked, 0, 'no tracker, nothing asked');

    // this test process stands in for the tracker: its pid, a SIGHUP handler, a probe that says yes on the third ask
    const onHup = (): void => undefined;
    process.on('SIGHUP', onHup);
    try {
      await writeFile(pidFile, `${process.pid}\n`);
      const none: ProbeAnswer = new Set();
      const yes: ProbeAnswer = new Set([A]);
      // asked once before the signal (not there yet), then until it is
      let asks = 0;
      const answers: ProbeAnswer[] = [none, none, none, yes];
      const s = createTrackerSignaller({
        pidFile,
        reloadCommand: null,
        coalesceMs: 0,
        timeoutMs: 1000,
        log,
        probe: async (h) => {
          assert.deepEqual(h, [A]);
          return answers[asks++] ?? yes;
        },
      });
      s.request([A]);
      assert.equal(await s.settled(), 'confirmed');
      assert.equal(asks, 4);

      // reported before the signal: a hash the tracker still holds from an earlier listing proves nothing,
      // so it gets the grace time after the signal
      const held = createTrackerSignaller({ pidFile, reloadCommand: null, coalesceMs: 0, timeoutMs: 1000, log, probe: async () => yes });
      held.request([A]);
      let t0 = Date.now();
      assert.equal(await held.settled(), 'confirmed');
      assert.ok(Date.now() - t0 >= 900, `waited ${Date.now() - t0} ms`);

      const gone = createTrackerSignaller({ pidFile, reloadCommand: null, coalesceMs: 0, timeoutMs: 1000, log, probe: async () => null });
      gone.request([A]);
      assert.equal(await gone.settled(), 'unconfirmed');

      const stuck = createTrackerSignaller({
        pidFile,
        reloadCommand: null,
        coalesceMs: 0,
        timeoutMs: 1000,
        log,
        confirmTimeoutMs: 200,
        probe: async () => none,
      });
      stuck.request([A]);
      t0 = Date.now();
      assert.equal(await stuck.settled(), 'unconfirmed');
      assert.ok(Date.now() - t0 < 1000, 'the probe gives up after confirmTimeoutMs');

      const removalOnly = createTrackerSignaller({
        pidFile,
        reloadCommand: null,
        coalesceMs: 0,
        timeoutMs: 1000,
        log,
        probe: async () => none,
      });
      removalOnly.request();
      assert.equal(await removalOnly.settled(), 'confirmed', 'nothing new to confirm');
    } finally {
      process.off('SIGHUP', onHup);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('reload command: its exit status is the outcome', async () => {
  const ok = createTrackerSignaller({ pidFile: '/nonexistent', reloadCommand: 'true', coalesceMs: 0, timeoutMs: 5000, log });
  ok.request([A]);
  assert.equal(await ok.settled(), 'confirmed');
  const bad = createTrackerSignaller({ pidFile: '/nonexistent', reloadCommand: 'exit 3', coalesceMs: 0, timeoutMs: 5000, log });
  bad.request([A]);
  assert.equal(await bad.settled(), 'unconfirmed');
});
