import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { accumulate, counterEpoch, trackerRestarted, type Counter } from './accumulate.js';

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

describe('restart detection from the tracker uptime', () => {
  const T = 1_700_000_000_000;
  test('same process: start estimate stable within uptime rounding', () => {
    assert.equal(
      trackerRestarted(
        { at: T, uptimeSeconds: 100, completedSinceStart: 5 },
        { at: T + 5_900, uptimeSeconds: 105, completedSinceStart: 7 },
      ),
      false,
    );
  });
  test('restart seen even when the page was down long enough for uptime to pass the old value', () => {
    assert.equal(
      trackerRestarted({ at: T, uptimeSeconds: 3, completedSinceStart: 2 }, { at: T + 60_000, uptimeSeconds: 10, completedSinceStart: 2 }),
      true,
    );
  });
  test('a changed per-start tracker id is a restart; the same id falls back to the uptime', () => {
    assert.equal(
      trackerRestarted(
        { at: T, uptimeSeconds: 1, completedSinceStart: 2, trackerId: '11' },
        { at: T + 500, uptimeSeconds: 1, completedSinceStart: 3, trackerId: '22' },
      ),
      true,
    );
    assert.equal(
      trackerRestarted(
        { at: T, uptimeSeconds: 1, completedSinceStart: 2, trackerId: '11' },
        { at: T + 9000, uptimeSeconds: 10, completedSinceStart: 3, trackerId: '11' },
      ),
      false,
    );
    assert.equal(
      trackerRestarted(
        { at: T, uptimeSeconds: 1, completedSinceStart: 2, trackerId: '11' },
        { at: T + 9000, uptimeSeconds: 1, completedSinceStart: 3, trackerId: '11' },
      ),
      true,
    );
  });
  test('completions since start dropping is a restart; no reading is unknown', () => {
    assert.equal(
      trackerRestarted({ at: T, uptimeSeconds: 100, completedSinceStart: 9 }, { at: T + 1000, uptimeSeconds: 101, completedSinceStart: 1 }),
      true,
    );
    assert.equal(trackerRestarted(null, { at: T, uptimeSeconds: 1, completedSinceStart: 0 }), null);
  });
  test('epoch: fresh when counters sum to at most the completions since start, restored when more', () => {
    const prev = { at: T, uptimeSeconds: 100, completedSinceStart: 2 };
    const cur = { at: T + 10_000, uptimeSeconds: 3, completedSinceStart: 3 };
    assert.equal(counterEpoch(prev, cur, 3), 'fresh');
    assert.equal(counterEpoch(prev, cur, 50), 'restored');
    assert.equal(counterEpoch(prev, { at: T + 10_000, uptimeSeconds: 110, completedSinceStart: 4 }, 4), 'same');
    assert.equal(counterEpoch(null, cur, 3), 'unknown');
  });
  test('the issue: 2 downloads, restart, 3 more (counter climbs past 2): 5, not 3', () => {
    let c = accumulate(undefined, 2);
    c = accumulate(c, 3, 'fresh');
    assert.equal(c.total, 5);
    assert.equal(accumulate({ last: 2, total: 2 }, 3, 'unknown').total, 3, 'without the uptime the counter alone under-counts');
  });
  test('restored counts are never added twice', () => {
    // The tracker saw 10, restored a state of 8 and counted 1 more: at most the excess over 10 is new.
    assert.equal(accumulate({ last: 10, total: 10 }, 9, 'restored').total, 10);
    assert.equal(accumulate({ last: 10, total: 10 }, 12, 'restored').total, 12);
  });
});
