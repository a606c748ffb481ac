import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { accumulate, type Counter } from './accumulate.js';

function run(raws: readonly number[]): number[] {
  let c: Counter | undefined;
  return raws.map((raw) => (c = accumulate(c, raw)).total);
}

describe('accumulate (reset-safe totals)', () => {
  const rows: { name: string; raws: number[]; totals: number[] }[] = [
    { name: 'the issue example: 5 -> 7 -> 2 -> 3 gives 10', raws: [5, 7, 2, 3], totals: [5, 7, 9, 10] },
    { name: 'steady counter', raws: [0, 1, 1, 4], totals: [0, 1, 1, 4] },
    { name: 'restart to zero adds nothing, then counts', raws: [8, 0, 0, 2], totals: [8, 8, 8, 10] },
    { name: 'two restarts', raws: [3, 1, 5, 2, 2], totals: [3, 4, 8, 10, 10] },
    { name: 'first observation counts whole value', raws: [1000], totals: [1000] },
    { name: 'restart straight to a higher count is not visible (documented limit)', raws: [5, 0, 6], totals: [5, 5, 11] },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const totals = run(row.raws);
      assert.deepEqual(totals, row.totals);
      for (let i = 1; i < totals.length; i++) assert.ok(totals[i]! >= totals[i - 1]!, 'never decreases');
    });
  }

  test('delta and last are reported', () => {
    assert.deepEqual(accumulate({ last: 7, total: 7 }, 2), { last: 2, total: 9, delta: 2 });
    assert.deepEqual(accumulate(undefined, 5), { last: 5, total: 5, delta: 5 });
  });

  for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
    test(`rejects raw value ${bad}`, () => {
      assert.throws(() => accumulate(undefined, bad), RangeError);
    });
  }
});
