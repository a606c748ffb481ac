import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { deepFreeze } from './deep-freeze.js';

test('every nested object and array is frozen; primitives and null pass through', () => {
  const v = deepFreeze({ a: { b: [1, { c: 2 }] }, n: null, s: 'x' });
  assert.ok(Object.isFrozen(v) && Object.isFrozen(v.a) && Object.isFrozen(v.a.b) && Object.isFrozen(v.a.b[1]));
  assert.throws(() => {
    (v.a.b as unknown[]).push(3);
  }, TypeError);
  assert.equal(deepFreeze(5), 5);
  assert.equal(deepFreeze(null), null);
});

test('property: after deepFreeze nothing reachable can be changed', () => {
  fc.assert(
    fc.property(fc.object({ maxDepth: 4 }), (o) => {
      const seen: unknown[] = [deepFreeze(o)];
      while (seen.length > 0) {
        const x = seen.pop();
        if (x === null || typeof x !== 'object') continue;
        assert.ok(Object.isFrozen(x));
        seen.push(...Object.values(x));
      }
    }),
    { seed: 42, numRuns: 500 },
  );
});
