import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryLogger as capture } from '../../../test/helpers/memory-log.js';
import { createProgress } from './progress.js';

test('TTY: percent and MiB/s on one \\r line, throttled; newline at the end', () => {
  let t = 0;
  const out: string[] = [];
  const { log, lines } = capture();
  const p = createProgress('big.iso', log, { isTTY: true, write: (s) => out.push(s) }, () => t);
  t = 1000;
  p.update(512 * 1048576, 1024 * 1048576);
  t = 1100;
  p.update(600 * 1048576, 1024 * 1048576); // throttled
  t = 2000;
  p.update(1024 * 1048576, 1024 * 1048576);
  p.end();
  assert.deepEqual(out, ['\rhashing big.iso:  50% 512 MiB/s ', '\rhashing big.iso: 100% 512 MiB/s ', '\n']);
  assert.equal(lines.length, 0);
});

test('not a TTY: a log line every 5 s, nothing on the sink', () => {
  let t = 0;
  const out: string[] = [];
  const { log, lines } = capture();
  const p = createProgress('big.iso', log, { isTTY: false, write: (s) => out.push(s) }, () => t);
  for (t = 1000; t <= 12_000; t += 1000) p.update((t * 1048576) / 1000, 12 * 1048576);
  p.end();
  assert.deepEqual(
    lines.map((l) => l['percent']),
    [41, 83],
  );
  assert.deepEqual(out, []);
});
