import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { benchInfoHash, isSeeder, parseHashList, peerIdOf, whitelistText } from './population.js';

describe('bench population', () => {
  test('peer ids are 20 bytes, prefixed, distinct and stable', () => {
    const seen = new Set<string>();
    for (let t = 0; t < 50; t++)
      for (let k = 0; k < 200; k++) {
        const id = peerIdOf(t, k);
        assert.equal(id.length, 20);
        assert.equal(id.subarray(0, 8).toString('latin1'), '-BN0001-');
        seen.add(id.toString('hex'));
      }
    assert.equal(seen.size, 50 * 200);
    assert.deepEqual(peerIdOf(7, 3), peerIdOf(7, 3));
  });
  test('matches the shared harness derivation (values computed independently in Python)', () => {
    assert.equal(peerIdOf(0, 0).subarray(8).toString('hex'), '19460c513e552ee03a8fb97b');
    assert.equal(peerIdOf(999, 199).subarray(8).toString('hex'), '21f001cdc39db09327051f81');
  });
  test('every 4th peer is a seeder', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 8].map(isSeeder), [true, false, false, false, true, true]);
  });
  test('whitelist round-trips and hostile lines are skipped', () => {
    const text = `${whitelistText(3)}# comment\n\r\nzz${'0'.repeat(38)}\n${'A'.repeat(40)} trailing\r\n${'1'.repeat(39)}\n`;
    const list = parseHashList(text);
    assert.deepEqual(list.slice(0, 3), [0, 1, 2].map(benchInfoHash));
    assert.equal(list.length, 4);
    assert.equal(list[3]!.toString('hex'), 'a'.repeat(40));
  });
});
