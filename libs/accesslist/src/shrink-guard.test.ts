import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeShrink } from './shrink-guard.js';

const set = (from: number, to: number) => new Set(Array.from({ length: to - from }, (_, i) => String(from + i)));

test('judgeShrink: refuses losing more than half and more than 10; growth and small prunes pass', () => {
  const rows: Array<[string, Set<string>, Set<string>, number, boolean]> = [
    ['empty list replacing 100', set(0, 100), set(0, 0), 100, true],
    ['truncated to 40 of 100', set(0, 100), set(0, 40), 60, true],
    ['half of 100 lost: not more than half', set(0, 100), set(0, 50), 50, false],
    ['10 of 12 lost: only a few', set(0, 12), set(0, 2), 10, false],
    ['11 of 12 lost', set(0, 12), set(0, 1), 11, true],
    ['growth', set(0, 10), set(0, 1000), 0, false],
    ['first load', set(0, 0), set(0, 5), 0, false],
    ['all replaced by as many new ones', set(0, 100), set(100, 200), 100, true],
  ];
  for (const [name, before, after, lost, refuse] of rows) assert.deepEqual(judgeShrink(before, after), { lost, refuse }, name);
});
