import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtocolError, type ProtocolErrorCode } from './errors.js';
import { decodeLatin1, nameHash, nextParam, openQuery, parseQuery, parseUint64 } from './query.js';

function expectCode(fn: () => unknown, code: ProtocolErrorCode): void {
  assert.throws(fn, (err: unknown) => err instanceof ProtocolError && err.code === code);
}

/** parseQuery result as [name, latin1 value] pairs, in order. */
function pairs(raw: string, maxRepeats = 100): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [name, values] of parseQuery(raw, maxRepeats)) for (const v of values) out.push([name, v.toString('latin1')]);
  return out;
}

describe('parseQuery', () => {
  const rows: Array<{ name: string; raw: string; want: Array<[string, string]> }> = [
    { name: 'empty', raw: '', want: [] },
    { name: 'only separators', raw: '&&&', want: [] },
    { name: 'name without =', raw: 'a', want: [['a', '']] },
    { name: 'empty value', raw: 'a=', want: [['a', '']] },
    { name: 'empty name', raw: '=b', want: [['', 'b']] },
    {
      name: 'two params',
      raw: 'a=1&b=2',
      want: [
        ['a', '1'],
        ['b', '2'],
      ],
    },
    {
      name: 'empty segments between',
      raw: '&a=1&&&b=2&',
      want: [
        ['a', '1'],
        ['b', '2'],
      ],
    },
    { name: 'escapes to bytes', raw: 'a=%41%42%ff%00', want: [['a', 'AB\xff\x00']] },
    { name: 'lower and upper case hex', raw: 'a=%aB%Cd', want: [['a', '\xab\xcd']] },
    { name: 'plus is a space', raw: 'a=x+y+', want: [['a', 'x y ']] },
    { name: '%2B is a plus', raw: 'a=%2B', want: [['a', '+']] },
    { name: 'second = is part of the value', raw: 'a=b=c', want: [['a', 'b=c']] },
    { name: 'escaped name', raw: 'info%5Fhash=1', want: [['info_hash', '1']] },
    { name: 'escaped = in a name', raw: 'a%3D=1', want: [['a=', '1']] },
    { name: 'raw latin1 bytes pass through', raw: 'a=\xe9\xff', want: [['a', '\xe9\xff']] },
    {
      name: 'repeats kept in order',
      raw: 'a=1&b=2&a=3',
      want: [
        ['a', '1'],
        ['a', '3'],
        ['b', '2'],
      ],
    },
    { name: '%25 decodes once', raw: 'a=%2541', want: [['a', '%41']] },
  ];
  for (const r of rows) test(r.name, () => assert.deepEqual(pairs(r.raw), r.want));

  const bad: Array<{ name: string; raw: string; code: ProtocolErrorCode }> = [
    { name: 'non-hex escape', raw: 'a=%zz', code: 'BAD_ESCAPE' },
    { name: 'half-hex escape', raw: 'a=%4g', code: 'BAD_ESCAPE' },
    { name: 'truncated escape at the end', raw: 'a=%4', code: 'BAD_ESCAPE' },
    { name: 'truncated escape before &', raw: 'a=%4&b=1', code: 'BAD_ESCAPE' },
    { name: 'escape cut by & does not borrow the next param', raw: 'a=%&41', code: 'BAD_ESCAPE' },
    { name: 'lone percent', raw: 'a=%', code: 'BAD_ESCAPE' },
    { name: 'bad escape in a name', raw: '%zz=1', code: 'BAD_ESCAPE' },
    { name: 'char above 0xFF', raw: 'a=\u20ac', code: 'BAD_ESCAPE' },
    { name: 'char above 0xFF in a name', raw: '\u20ac=1', code: 'BAD_ESCAPE' },
    { name: 'too many repeats', raw: 'a=1&a=2&a=3', code: 'TOO_MANY_REPEATS' },
  ];
  for (const r of bad) test(`refuses ${r.name}`, () => expectCode(() => parseQuery(r.raw, 2), r.code));

  test('10,000 parameters without = are scanned once each', () => {
    const raw = Array.from({ length: 10_000 }, (_, i) => `p${i}`).join('&');
    const c = openQuery(raw);
    let n = 0;
    while (nextParam(c)) n++;
    assert.equal(n, 10_000);
  });

  test('a value of 100,000 chars decodes through the non-scratch path', () => {
    const raw = `a=${'%41'.repeat(100_000)}`;
    assert.equal(parseQuery(raw, 1).get('a')?.[0]?.length, 100_000);
    assert.equal(decodeLatin1(raw, 2, raw.length)?.length, 100_000);
    assert.equal(decodeLatin1(raw, 2, raw.length, 10), null);
  });
});

describe('nameHash', () => {
  test('the cursor carries the hash of the raw name', () => {
    const c = openQuery('info_hash=1&port&x%41=2');
    const got: number[] = [];
    while (nextParam(c)) got.push(c.nameHash);
    assert.deepEqual(got, [nameHash('info_hash'), nameHash('port'), nameHash('x%41')]);
  });
  test('collisions exist, so callers must confirm', () => assert.equal(nameHash('ppSt'), nameHash('port')));
});

describe('parseUint64', () => {
  const rows: Array<[string, number]> = [
    ['0', 0],
    ['00', 0],
    ['7', 7],
    ['1000', 1000],
    ['4294967296', 4294967296],
    ['9007199254740993', 9007199254740992], // beyond 2^53: nearest double, still non-zero
    ['18446744073709551615', 2 ** 64], // the nearest double
    ['000000000000000000000001', 1], // leading zeros do not count against the 20 digits
    ['18446744073709551616', -1],
    ['99999999999999999999', -1],
    ['100000000000000000000', -1],
    ['', -1],
    ['-1', -1],
    ['+1', -1],
    ['1e3', -1],
    ['abc', -1],
    [' 1', -1],
    ['1 ', -1],
    ['0x10', -1],
    ['1.5', -1],
    ['\u0661', -1], // Arabic-Indic digit one
  ];
  for (const [raw, want] of rows) test(JSON.stringify(raw), () => assert.equal(parseUint64(raw, 0, raw.length), want));

  test('parses inside a larger string', () => {
    assert.equal(parseUint64('x=123&', 2, 5), 123);
  });
});
