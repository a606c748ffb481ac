import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { binToHex, hexToBin, hexToKey, key20At } from './bin-key.js';
import { ProtocolError } from './errors.js';

describe('bin-key', () => {
  const rows: Array<[string, string]> = [
    ['0123456789abcdef0123456789abcdef01234567', '\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67\x89\xab\xcd\xef\x01\x23\x45\x67'],
    ['00'.repeat(20), '\x00'.repeat(20)],
    ['ff'.repeat(20), '\xff'.repeat(20)],
  ];
  for (const [hex, bin] of rows) {
    test(`hexToBin/binToHex ${hex.slice(0, 8)}`, () => {
      assert.equal(hexToBin(hex), bin);
      assert.equal(hexToBin(hex.toUpperCase()), bin);
      assert.equal(binToHex(bin), hex);
      assert.equal(binToHex(bin), Buffer.from(bin, 'latin1').toString('hex'));
    });
  }
  const bad = [
    '',
    'abc',
    '0'.repeat(38),
    '0'.repeat(42),
    `${'0'.repeat(39)}g`,
    `${'0'.repeat(38)} 0`,
    `${'0'.repeat(38)}-1`,
    `0x${'0'.repeat(38)}`,
  ];
  for (const h of bad)
    test(`hexToBin refuses ${JSON.stringify(h)}`, () =>
      assert.throws(
        () => hexToBin(h),
        (e: unknown) => e instanceof ProtocolError && e.code === 'BAD_HEX',
      ));
  test('hexToBin with any length', () => assert.equal(hexToBin('41', null), 'A'));
  test('key20At', () => {
    const b = Buffer.from(Array.from({ length: 30 }, (_, i) => i * 9));
    assert.equal(key20At(b, 5), b.toString('latin1', 5, 25));
  });
});

const A = '0123456789abcdef0123456789abcdef01234567';
const B = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const key = (hex: string) => Buffer.from(hex, 'hex').toString('latin1');

describe('hexToKey / binToHex (keys read back from files)', () => {
  test('round trip, lower-cases', () => {
    assert.equal(binToHex(hexToKey(B)), B.toLowerCase());
    assert.equal(hexToKey(A), key(A));
  });
  for (const bad of ['', A.slice(1), `${A}0`, `${A.slice(0, 39)}g`, ` ${A.slice(1)}`]) {
    test(`hexToKey rejects ${JSON.stringify(bad)}`, () => {
      assert.throws(() => hexToKey(bad), /not a 40-digit hex info_hash/);
    });
  }
});
