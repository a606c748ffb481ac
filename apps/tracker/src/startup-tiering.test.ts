import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BUSY_PER_SECOND, optimizeWhenBusy, STARTUP_FLAG } from './startup-tiering.js';

function fakeTimer(): { tick(): void; stopped: boolean; every: (fn: () => void) => { stop(): void } } {
  let fn: (() => void) | null = null;
  const t = {
    stopped: false,
    tick: () => fn?.(),
    every: (f: () => void) => {
      fn = f;
      return { stop: () => void (t.stopped = true) };
    },
  };
  return t;
}

describe('optimizeWhenBusy', () => {
  test('without the start-up flag nothing is scheduled nor changed', () => {
    const timer = fakeTimer();
    const flags: string[] = [];
    const on = optimizeWhenBusy({ tcpRequests: 1e6, udpPackets: 0 }, { execArgv: [], setFlags: (f) => flags.push(f), every: timer.every });
    timer.tick();
    assert.equal(on, false);
    assert.deepEqual(flags, []);
  });

  test('turns the compiler on once, at the first second with BUSY_PER_SECOND requests over both transports', () => {
    const timer = fakeTimer();
    const flags: string[] = [];
    // counts from before the call (start-up probes, a restored state) are not this second's requests
    const counts = { tcpRequests: 5000, udpPackets: 5000 };
    assert.equal(optimizeWhenBusy(counts, { execArgv: [STARTUP_FLAG], setFlags: (f) => flags.push(f), every: timer.every }), true);
    timer.tick();
    // a download site's trickle, second after second, adds up to far more than one busy second: still off
    for (let s = 0; s < 50; s++) {
      counts.udpPackets += BUSY_PER_SECOND / 2 - 1;
      timer.tick();
    }
    assert.deepEqual(flags, []);
    counts.udpPackets += BUSY_PER_SECOND - 1;
    timer.tick();
    assert.deepEqual(flags, []);
    counts.udpPackets += BUSY_PER_SECOND / 2;
    counts.tcpRequests += BUSY_PER_SECOND / 2;
    timer.tick();
    assert.deepEqual(flags, ['--turbofan']);
    assert.equal(timer.stopped, true);
  });

  // Guards the mechanism itself: a node whose V8 ignored flag changes after start would leave the tracker
  // without its optimizing compiler for good (several times slower per request).
  test('node started with the flag optimizes hot code once it is turned on, and not before', () => {
    const mod = fileURLToPath(new URL('./startup-tiering.js', import.meta.url));
    const script = `
      const { optimizeWhenBusy } = await import(${JSON.stringify(mod)});
      const hot = (a) => { let s = 0; for (let i = 0; i < 10; i++) s += a * i; return s; };
      const optimized = () => (%GetOptimizationStatus(hot) & 16) !== 0;
      const spin = async (ms) => {
        const end = Date.now() + ms;
        while (Date.now() < end) {
          for (let i = 0; i < 1000; i++) hot(i);
          await new Promise((r) => setImmediate(r));
        }
      };
      const counts = { tcpRequests: 0, udpPackets: 0 };
      optimizeWhenBusy(counts);
      await spin(1300);
      const before = optimized();
      counts.udpPackets = 1e6;
      await spin(1500);
      console.log(JSON.stringify({ before, after: optimized() }));
    `;
    const r = spawnSync(process.execPath, [STARTUP_FLAG, '--allow-natives-syntax', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { before: false, after: true });
  });
});
