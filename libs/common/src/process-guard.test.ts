import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryLogger as capture } from '../../../test/helpers/memory-log.js';
import { createShutdown, isOutputGone, reportsFlushed } from './process-guard.js';

function exitPromise(): { exit: (code: number) => void; code: Promise<number> } {
  let exit!: (code: number) => void;
  const code = new Promise<number>((resolve) => {
    exit = resolve;
  });
  return { exit, code };
}

test('a clean stop exits 0', async () => {
  const { log } = capture();
  const e = exitPromise();
  createShutdown({ log, close: async () => ({ flushed: true }), exit: e.exit })('SIGTERM');
  assert.equal(await e.code, 0);
});

test('a stop that could not flush says so and exits non-zero', async () => {
  const { log, lines } = capture();
  const e = exitPromise();
  createShutdown({ log, close: async () => ({ flushed: false }), exit: e.exit })('SIGTERM');
  assert.equal(await e.code, 1);
  assert.ok(lines.some((l) => l['level'] === 50 && /could NOT be flushed/.test(String(l['msg']))));
});

test('a close that hangs is cut by the watchdog after one last flush', async () => {
  const { log, lines } = capture();
  const e = exitPromise();
  let flushes = 0;
  const started = Date.now();
  createShutdown({
    log,
    close: () => new Promise(() => {}),
    flushSync: () => {
      flushes++;
      return true;
    },
    graceMs: 200,
    exit: e.exit,
  })('SIGTERM');
  assert.equal(await e.code, 1);
  assert.ok(Date.now() - started < 2000);
  assert.equal(flushes, 1);
  assert.ok(lines.some((l) => l['level'] === 50 && /did not stop within 200 ms; state flushed/.test(String(l['msg']))));
});

test('a close that rejects and a flush that throws: error line, exit 1', async () => {
  const { log, lines } = capture();
  const e = exitPromise();
  createShutdown({
    log,
    close: async () => {
      throw new Error('disk gone');
    },
    flushSync: () => {
      throw new Error('ENOSPC');
    },
    exit: e.exit,
  })('SIGINT');
  assert.equal(await e.code, 1);
  assert.ok(lines.some((l) => /could NOT be flushed/.test(String(l['msg']))));
});

test('a second signal exits at once', async () => {
  const { log } = capture();
  const e = exitPromise();
  const stop = createShutdown({ log, close: () => new Promise(() => {}), graceMs: 60_000, exit: e.exit });
  stop('SIGINT');
  stop('SIGINT');
  assert.equal(await e.code, 1);
});

test('what counts as flushed, and as output gone', () => {
  assert.equal(reportsFlushed(undefined), true);
  assert.equal(reportsFlushed({ flushed: true }), true);
  assert.equal(reportsFlushed({ flushed: false }), false);
  assert.equal(reportsFlushed(false), false);
  assert.equal(isOutputGone(Object.assign(new Error('x'), { code: 'EIO', syscall: 'write' })), true);
  assert.equal(isOutputGone(Object.assign(new Error('x'), { code: 'EIO', syscall: 'read' })), false);
  assert.equal(isOutputGone(new TypeError('bug')), false);
});
