import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { binToHex } from './bin-key.js';
import { ProtocolError, type ProtocolErrorCode } from './errors.js';
import { parseScrapeQuery } from './scrape-request.js';
import { H1_HEX, HA_HEX, HTTP_QUERIES } from './vectors/golden.js';

function expectCode(fn: () => unknown, code: ProtocolErrorCode): void {
  assert.throws(fn, (err: unknown) => err instanceof ProtocolError && err.code === code);
}

/** Hash number i as 20 bytes, percent-encoded, and its hex. */
function hash(i: number): { q: string; hex: string } {
  const b = Buffer.alloc(20, 0xee);
  b.writeUInt32BE(i, 16);
  return { q: [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join(''), hex: b.toString('hex') };
}

function hexes(raw: string, max: number): { hashes: string[]; truncated: boolean } {
  const r = parseScrapeQuery(raw, max);
  return { hashes: r.infoHashes.map(binToHex), truncated: r.truncated };
}

describe('parseScrapeQuery', () => {
  const q = (...ids: number[]): string => ids.map((i) => `info_hash=${hash(i).q}`).join('&');
  const h = (...ids: number[]): string[] => ids.map((i) => hash(i).hex);
  const rows: Array<{ name: string; raw: string; max: number; hashes: string[]; truncated: boolean }> = [
    { name: 'golden single', raw: HTTP_QUERIES.scrapeOne, max: 64, hashes: [H1_HEX], truncated: false },
    { name: 'golden three', raw: HTTP_QUERIES.scrapeThree, max: 64, hashes: [H1_HEX, HA_HEX, '99'.repeat(20)], truncated: false },
    { name: 'order kept', raw: q(3, 1, 2), max: 64, hashes: h(3, 1, 2), truncated: false },
    { name: 'duplicates removed, first position kept', raw: q(1, 2, 1, 3, 2), max: 64, hashes: h(1, 2, 3), truncated: false },
    { name: '70 copies of one hash', raw: q(...Array<number>(70).fill(7)), max: 64, hashes: h(7), truncated: false },
    { name: 'exactly max', raw: q(1, 2, 3), max: 3, hashes: h(1, 2, 3), truncated: false },
    { name: 'over max', raw: q(1, 2, 3, 4), max: 3, hashes: h(1, 2, 3), truncated: true },
    { name: 'duplicates past max do not truncate', raw: q(1, 2, 3, 1, 2), max: 3, hashes: h(1, 2, 3), truncated: false },
    { name: 'max 1', raw: q(1, 1, 2), max: 1, hashes: h(1), truncated: true },
    {
      name: '200 hashes, max 64',
      raw: q(...Array.from({ length: 200 }, (_, i) => i)),
      max: 64,
      hashes: h(...Array.from({ length: 64 }, (_, i) => i)),
      truncated: true,
    },
    { name: 'other parameters skipped', raw: `x=%zz&${q(1)}&info_hashes=1&peer_id=abc`, max: 64, hashes: h(1), truncated: false },
    { name: 'escaped name', raw: `info%5Fhash=${hash(5).q}`, max: 64, hashes: h(5), truncated: false },
  ];
  for (const r of rows) test(r.name, () => assert.deepEqual(hexes(r.raw, r.max), { hashes: r.hashes, truncated: r.truncated }));

  const bad: Array<{ name: string; raw: string; code: ProtocolErrorCode }> = [
    { name: 'empty query', raw: HTTP_QUERIES.scrapeEmpty, code: 'MISSING_INFO_HASH' },
    { name: 'no info_hash', raw: 'foo=bar&peer_id=x', code: 'MISSING_INFO_HASH' },
    { name: 'golden 1-byte hash', raw: HTTP_QUERIES.scrapeShort, code: 'BAD_INFO_HASH' },
    { name: 'empty hash', raw: 'info_hash=', code: 'BAD_INFO_HASH' },
    { name: '21-byte hash', raw: `info_hash=${hash(1).q}%00`, code: 'BAD_INFO_HASH' },
    { name: 'bad hash after good ones', raw: `${q(1, 2)}&info_hash=%01`, code: 'BAD_INFO_HASH' },
    { name: 'bad hash past the cap', raw: `${q(1, 2, 3)}&info_hash=%01`, code: 'BAD_INFO_HASH' },
    { name: '%zz', raw: 'info_hash=%zz', code: 'BAD_ESCAPE' },
    { name: 'truncated %4', raw: `info_hash=${hash(1).q.slice(0, -2)}`, code: 'BAD_ESCAPE' },
  ];
  for (const r of bad) test(`refuses ${r.name}`, () => expectCode(() => parseScrapeQuery(r.raw, 3), r.code));

  test('max must be a positive integer', () => {
    for (const max of [0, -1, 1.5, Number.NaN]) assert.throws(() => parseScrapeQuery(q(1), max), RangeError);
  });
});
