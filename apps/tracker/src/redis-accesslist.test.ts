import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeLists, encodeList, sameSet, union } from './redis-accesslist.js';

describe('access lists stored in Redis', () => {
  test('round trip and union', () => {
    const k = (n: number): string => Buffer.alloc(20, n).toString('latin1');
    const a = new Set([k(1), k(2)]);
    const b = new Set([k(2), k(3)]);
    const got = decodeLists([encodeList(a), encodeList(b)]);
    assert.ok(sameSet(got, new Set([k(1), k(2), k(3)])));
    assert.ok(sameSet(union(a, b), got));
    assert.equal(decodeLists([encodeList(a)], 1).size, 1);
  });

  test('any stored text decodes to valid keys only, never a throw', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 200 }), { maxLength: 5 }), (values) => {
        for (const key of decodeLists(values)) if (key.length !== 20) return false;
        return true;
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});
