import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RequestHeaders, fieldNameEnd } from './http-headers.js';

test('fieldNameEnd: the index of the colon of a field line, -1 for anything that is not one', () => {
  const rows: Array<[string, number]> = [
    ['Host: x', 4],
    ['host:x', 4],
    ['a:', 1],
    ["!#$%&'*+-.^_`|~09azAZ:v", 21],
    ['', -1],
    [':x', -1],
    ['Host', -1],
    [' Host: x', -1],
    ['\tHost: x', -1],
    ['Host : x', -1],
    ['Ho st: x', -1],
    ['Hé: x', -1],
    ['Ho\x00st: x', -1],
    ['Ho\x7fst: x', -1],
    ['(a): x', -1],
    ['a\u0100: x', -1],
    ['a\r\nb: x', -1],
  ];
  for (const [line, want] of rows) assert.equal(fieldNameEnd(line, 0, line.length), want, JSON.stringify(line));
  // the line is the range given, not the whole string
  assert.equal(fieldNameEnd('GET / HTTP/1.1\r\nHost: x', 16, 23), 20);
  assert.equal(fieldNameEnd('Host: x', 0, 3), -1);
});

/** The fields as a Map the plain way: lower-case names, trimmed values, repeats joined. */
function model(lines: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    const prev = m.get(name);
    m.set(name, prev === undefined ? value : `${prev}, ${value}`);
  }
  return m;
}

test('RequestHeaders.read answers get and has as a Map of lower-case names would, whatever the case, repeats and whitespace', () => {
  const names = ['host', 'content-length', 'transfer-encoding', 'connection', 'accept-encoding', 'x-forwarded-for', 'a', 'ab'];
  const name = fc
    .tuple(fc.constantFrom(...names), fc.array(fc.boolean(), { maxLength: 20 }))
    .map(([n, up]) => [...n].map((ch, i) => (up[i] ? ch.toUpperCase() : ch)).join(''));
  const value = fc
    .tuple(fc.constantFrom('', ' ', '\t', '  \t'), fc.string({ maxLength: 8 }), fc.constantFrom('', ' ', '\t'))
    .map(([a, v, b]) => a + v.replace(/[\r\n]/g, '') + b);
  const line = fc.tuple(name, value).map(([n, v]) => `${n}:${v}`);
  fc.assert(
    fc.property(fc.array(line, { maxLength: 10 }), (lines) => {
      const line0 = 'GET /announce HTTP/1.1\r\n';
      const got = RequestHeaders.read(line0 + lines.join('\r\n'), line0.length);
      assert.ok(got !== null);
      assert.equal(got.count, lines.length);
      const want = model(lines);
      for (const n of [...names, 'hos', 'hostx', '']) {
        assert.equal(got.get(n), want.get(n), n);
        assert.equal(got.has(n), want.has(n), n);
      }
    }),
    { numRuns: 2000, seed: 3 },
  );
});
