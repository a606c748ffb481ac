import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAnnounceQuery, type AnnounceRequest, LEFT_UNKNOWN } from './announce-request.js';
import { binToHex } from './bin-key.js';
import { ProtocolError, PROTOCOL_ERROR_TEXTS, type ProtocolErrorCode } from './errors.js';
import { H1_HEX, H1_QUERY, HA_HEX, HTTP_QUERIES } from './vectors/golden.js';

function expectCode(fn: () => unknown, code: ProtocolErrorCode): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ProtocolError, `not a ProtocolError: ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.message, PROTOCOL_ERROR_TEXTS[code]);
    return true;
  });
}

/** Percent-encode every byte, the way clients send binary values. */
function pct(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += `%${b.toString(16).padStart(2, '0')}`;
  return s;
}

const IH = pct(Buffer.from(H1_HEX, 'hex'));
const PID = '-TS0001-aaaaaaaaaaaa';
const BASE = `info_hash=${IH}&peer_id=${PID}&port=6881`;

const DEFAULTS: AnnounceRequest = {
  infoHash: Buffer.from(H1_HEX, 'hex').toString('latin1'),
  peerId: PID,
  port: 6881,
  left: LEFT_UNKNOWN,
  uploaded: 0,
  downloaded: 0,
  event: 0,
  numwant: null,
  compact: true,
  noPeerId: false,
  key: null,
};

describe('parseAnnounceQuery: golden queries (captured from opentracker, vectors/golden.ts)', () => {
  test('first announce: leecher, started', () => {
    const r = parseAnnounceQuery(HTTP_QUERIES.first);
    assert.deepEqual(r, { ...DEFAULTS, left: 1000, event: 2 });
    assert.equal(binToHex(r.infoHash), H1_HEX);
  });
  test('completed seeder', () => {
    assert.deepEqual(parseAnnounceQuery(HTTP_QUERIES.completed), {
      ...DEFAULTS,
      peerId: '-TS0001-bbbbbbbbbbbb',
      port: 6882,
      downloaded: 1000,
      left: 0,
      event: 1,
    });
  });
  test('re-announce without event', () => {
    assert.deepEqual(parseAnnounceQuery(HTTP_QUERIES.reannounce), { ...DEFAULTS, left: 1000 });
  });
  test('compact=0 is parsed, not refused (the caller decides)', () => {
    assert.deepEqual(parseAnnounceQuery(HTTP_QUERIES.compact0), {
      ...DEFAULTS,
      peerId: '-TS0001-cccccccccccc',
      port: 6883,
      left: 5,
      compact: false,
    });
  });
  test('key, ip, no_peer_id and unknown parameters', () => {
    const r = parseAnnounceQuery(HTTP_QUERIES.extras);
    assert.equal(binToHex(r.infoHash), HA_HEX);
    assert.deepEqual(
      { ...r, infoHash: '' },
      {
        ...DEFAULTS,
        infoHash: '',
        peerId: '-TS0001-dddddddddddd',
        port: 7001,
        left: 0,
        key: 'abc',
        noPeerId: true,
      },
    );
  });
  const refused: Array<[keyof typeof HTTP_QUERIES, ProtocolErrorCode]> = [
    ['shortHash', 'BAD_INFO_HASH'],
    ['noHash', 'MISSING_INFO_HASH'],
    ['port70000', 'BAD_PORT'],
    ['shortPeerId', 'BAD_PEER_ID'],
    ['duplicateHash', 'DUPLICATE_INFO_HASH'],
    ['badEscape', 'BAD_ESCAPE'],
    ['numwantTen', 'BAD_NUMWANT'],
    ['scrapeEmpty', 'MISSING_INFO_HASH'],
  ];
  for (const [name, code] of refused) test(`${name} -> ${code}`, () => expectCode(() => parseAnnounceQuery(HTTP_QUERIES[name]), code));
  test('no-port golden query is refused (opentracker stores port 0)', () => {
    expectCode(() => parseAnnounceQuery(HTTP_QUERIES.notListedB.replace('port=7002&', '')), 'BAD_PORT');
  });
});

describe('parseAnnounceQuery: accepted rows', () => {
  const binaryHash = Buffer.from('00ff7f80263d2b2520a0fe0a0d0900612f3f23c3', 'hex');
  const rows: Array<{ name: string; q: string; want: Partial<AnnounceRequest> }> = [
    { name: 'lower-case escapes', q: `info_hash=${IH.toLowerCase()}&port=1`, want: { port: 1, peerId: null } },
    {
      name: 'unreserved chars left unescaped (libtorrent style)',
      q: `info_hash=%01%23Eg%89%AB%CD%EF%01%23Eg%89%AB%CD%EF%01%23Eg&port=6881&peer_id=${PID}`,
      want: {},
    },
    {
      name: 'raw latin1 bytes as Node delivers them',
      q: `info_hash=${binaryHash.toString('latin1').replace(/[%&+=]/g, (c) => pct(Buffer.from(c)))}&port=6881&peer_id=${PID}`,
      want: { infoHash: binaryHash.toString('latin1') },
    },
    {
      name: 'every byte value escaped',
      q: `info_hash=${pct(binaryHash)}&port=6881&peer_id=${PID}`,
      want: { infoHash: binaryHash.toString('latin1') },
    },
    { name: '+ in peer_id is a space', q: `${BASE.replace(PID, '-TS0001-aaaa+aaaaaaa')}`, want: { peerId: '-TS0001-aaaa aaaaaaa' } },
    { name: '%2B in peer_id is a plus', q: `${BASE.replace(PID, '-TS0001-aaaa%2Baaaaaaa')}`, want: { peerId: '-TS0001-aaaa+aaaaaaa' } },
    { name: 'escaped parameter name', q: `info%5Fhash=${IH}&peer_id=${PID}&port=6881`, want: {} },
    { name: 'port 65535', q: `${BASE}&port=65535`, want: { port: 65535 } },
    { name: 'port with leading zeros', q: `${BASE}&port=006881`, want: { port: 6881 } },
    { name: 'repeated port: last wins', q: `${BASE}&port=7000`, want: { port: 7000 } },
    { name: 'left=0 is a seeder', q: `${BASE}&left=0`, want: { left: 0 } },
    { name: 'left=00 is a seeder', q: `${BASE}&left=00`, want: { left: 0 } },
    { name: 'left 2^32 is not a seeder (opentracker overflows)', q: `${BASE}&left=4294967296`, want: { left: 4294967296 } },
    { name: 'left 2^64-1', q: `${BASE}&left=18446744073709551615`, want: { left: 2 ** 64 } }, // the nearest double,
    { name: 'escaped digits', q: `${BASE}&left=1%30`, want: { left: 10 } },
    { name: 'uploaded and downloaded', q: `${BASE}&uploaded=123&downloaded=456`, want: { uploaded: 123, downloaded: 456 } },
    { name: 'event=started', q: `${BASE}&event=started`, want: { event: 2 } },
    { name: 'event=completed', q: `${BASE}&event=completed`, want: { event: 1 } },
    { name: 'event=stopped', q: `${BASE}&event=stopped`, want: { event: 3 } },
    { name: 'event=paused means none', q: `${BASE}&event=paused`, want: { event: 0 } },
    { name: 'empty event means none', q: `${BASE}&event=`, want: { event: 0 } },
    { name: 'unknown event means none', q: `${BASE}&event=update`, want: { event: 0 } },
    { name: 'escaped event', q: `${BASE}&event=st%6Fpped`, want: { event: 3 } },
    { name: 'long junk event means none', q: `${BASE}&event=${'x'.repeat(5000)}`, want: { event: 0 } },
    { name: 'numwant=0', q: `${BASE}&numwant=0`, want: { numwant: 0 } },
    { name: 'numwant=200', q: `${BASE}&numwant=200`, want: { numwant: 200 } },
    { name: 'numwant above any cap is passed through', q: `${BASE}&numwant=100000`, want: { numwant: 100000 } },
    { name: 'numwant=-1 means default', q: `${BASE}&numwant=-1`, want: { numwant: null } },
    { name: 'numwant=-50 means default', q: `${BASE}&numwant=-50`, want: { numwant: null } },
    { name: 'numwant escaped', q: `${BASE}&numwant=%2D1`, want: { numwant: null } },
    { name: 'compact=1', q: `${BASE}&compact=1`, want: { compact: true } },
    { name: 'compact=2 is still compact', q: `${BASE}&compact=2`, want: { compact: true } },
    { name: 'compact=0', q: `${BASE}&compact=0`, want: { compact: false } },
    { name: 'no_peer_id=1', q: `${BASE}&no_peer_id=1`, want: { noPeerId: true } },
    { name: 'no_peer_id without value', q: `${BASE}&no_peer_id`, want: { noPeerId: true } },
    { name: 'no_peer_id=0', q: `${BASE}&no_peer_id=0`, want: { noPeerId: false } },
    { name: 'key is decoded', q: `${BASE}&key=%41B`, want: { key: 'AB' } },
    { name: 'empty key', q: `${BASE}&key=`, want: { key: '' } },
    { name: 'key of 64 bytes', q: `${BASE}&key=${'k'.repeat(64)}`, want: { key: 'k'.repeat(64) } },
    { name: 'ip is ignored', q: `${BASE}&ip=10.0.0.1&ipv6=::1&ipv4=1.2.3.4`, want: {} },
    { name: 'unknown parameter with a bad escape is skipped', q: `${BASE}&trackerid=%zz`, want: {} },
    { name: 'unknown parameters with huge values', q: `${BASE}&x=${'9'.repeat(5000)}&corrupt=-1&supportcrypto=1`, want: {} },
    { name: 'a name with the hash of "port" is not port', q: `${BASE}&ppSt=1&pors=2`, want: {} },
    { name: 'parameter names are case-sensitive', q: `${BASE}&Port=1&LEFT=-1`, want: {} },
    { name: 'empty segments', q: `&&${BASE}&&`, want: {} },
    {
      name: '10,000 unknown parameters',
      q: `${Array.from({ length: 10_000 }, (_, i) => `x${i}=${i}`).join('&')}&${BASE}&left=0`,
      want: { left: 0 },
    },
  ];
  for (const r of rows) test(r.name, () => assert.deepEqual(parseAnnounceQuery(r.q), { ...DEFAULTS, ...r.want }));

  test('keys are flat strings independent of the query', () => {
    const r = parseAnnounceQuery(`${BASE}&key=${'k'.repeat(40)}`);
    assert.equal(r.infoHash.length, 20);
    assert.equal(r.key, 'k'.repeat(40));
  });
});

describe('parseAnnounceQuery: hostile rows', () => {
  const rows: Array<{ name: string; q: string; code: ProtocolErrorCode }> = [
    { name: 'no query', q: '', code: 'MISSING_INFO_HASH' },
    { name: 'only separators', q: '&&&', code: 'MISSING_INFO_HASH' },
    { name: 'info_hash 19 bytes', q: `info_hash=${IH.slice(3)}&port=1`, code: 'BAD_INFO_HASH' },
    { name: 'info_hash 21 bytes', q: `info_hash=${IH}%00&port=1`, code: 'BAD_INFO_HASH' },
    { name: 'info_hash as 40 hex chars', q: `info_hash=${H1_HEX}&port=1`, code: 'BAD_INFO_HASH' },
    { name: 'info_hash empty', q: 'info_hash=&port=1', code: 'BAD_INFO_HASH' },
    { name: 'info_hash without =', q: 'info_hash&port=1', code: 'BAD_INFO_HASH' },
    { name: 'info_hash huge', q: `info_hash=${'%41'.repeat(10_000)}&port=1`, code: 'BAD_INFO_HASH' },
    { name: 'info_hash %zz', q: `info_hash=%zz${IH.slice(3)}&port=1`, code: 'BAD_ESCAPE' },
    { name: 'info_hash truncated %4', q: `info_hash=${IH.slice(0, -2)}&port=1`, code: 'BAD_ESCAPE' },
    { name: 'info_hash truncated %4 at the end', q: `port=1&info_hash=${IH.slice(0, -2)}`, code: 'BAD_ESCAPE' },
    { name: 'info_hash with a char above 0xFF', q: `info_hash=${'\u0101'.repeat(20)}&port=1`, code: 'BAD_ESCAPE' },
    { name: 'duplicate info_hash', q: `${BASE}&info_hash=${IH}`, code: 'DUPLICATE_INFO_HASH' },
    { name: 'duplicate info_hash, second one escaped name', q: `${BASE}&info%5fhash=${IH}`, code: 'DUPLICATE_INFO_HASH' },
    { name: 'duplicate info_hash, second one bad', q: `${BASE}&info_hash=x`, code: 'DUPLICATE_INFO_HASH' },
    { name: 'peer_id 19 bytes', q: `${BASE}&peer_id=${PID.slice(1)}`, code: 'BAD_PEER_ID' },
    { name: 'peer_id 21 bytes', q: `${BASE}&peer_id=${PID}x`, code: 'BAD_PEER_ID' },
    { name: 'peer_id empty', q: `${BASE}&peer_id=`, code: 'BAD_PEER_ID' },
    { name: 'missing port', q: `info_hash=${IH}&left=0`, code: 'BAD_PORT' },
    { name: 'port 0', q: `${BASE}&port=0`, code: 'BAD_PORT' },
    { name: 'port 65536', q: `${BASE}&port=65536`, code: 'BAD_PORT' },
    { name: 'port 70000', q: `${BASE}&port=70000`, code: 'BAD_PORT' },
    { name: 'port -1', q: `${BASE}&port=-1`, code: 'BAD_PORT' },
    { name: 'port empty', q: `${BASE}&port=`, code: 'BAD_PORT' },
    { name: 'port abc', q: `${BASE}&port=abc`, code: 'BAD_PORT' },
    { name: 'port 6881x', q: `${BASE}&port=6881x`, code: 'BAD_PORT' },
    { name: 'port 21 digits', q: `${BASE}&port=100000000000000006881`, code: 'BAD_PORT' },
    { name: 'port with a space', q: `${BASE}&port=+6881`, code: 'BAD_PORT' },
    { name: 'left -1', q: `${BASE}&left=-1`, code: 'BAD_LEFT' },
    { name: 'left 1e3', q: `${BASE}&left=1e3`, code: 'BAD_LEFT' },
    { name: 'left abc', q: `${BASE}&left=abc`, code: 'BAD_LEFT' },
    { name: 'left empty', q: `${BASE}&left=`, code: 'BAD_LEFT' },
    { name: 'left 2^64', q: `${BASE}&left=18446744073709551616`, code: 'BAD_LEFT' },
    { name: 'left 21 digits', q: `${BASE}&left=100000000000000000000`, code: 'BAD_LEFT' },
    { name: 'left 1.5', q: `${BASE}&left=1.5`, code: 'BAD_LEFT' },
    { name: 'left with bad escape', q: `${BASE}&left=1%3`, code: 'BAD_ESCAPE' },
    { name: 'uploaded -1', q: `${BASE}&uploaded=-1`, code: 'BAD_UPLOADED' },
    { name: 'uploaded 21 digits', q: `${BASE}&uploaded=999999999999999999999`, code: 'BAD_UPLOADED' },
    { name: 'downloaded abc', q: `${BASE}&downloaded=abc`, code: 'BAD_DOWNLOADED' },
    { name: 'downloaded empty', q: `${BASE}&downloaded`, code: 'BAD_DOWNLOADED' },
    { name: 'numwant ten', q: `${BASE}&numwant=ten`, code: 'BAD_NUMWANT' },
    { name: 'numwant empty', q: `${BASE}&numwant=`, code: 'BAD_NUMWANT' },
    { name: 'numwant lone minus', q: `${BASE}&numwant=-`, code: 'BAD_NUMWANT' },
    { name: 'numwant --1', q: `${BASE}&numwant=--1`, code: 'BAD_NUMWANT' },
    { name: 'numwant 1.5', q: `${BASE}&numwant=1.5`, code: 'BAD_NUMWANT' },
    { name: 'numwant 21 digits', q: `${BASE}&numwant=100000000000000000000`, code: 'BAD_NUMWANT' },
    { name: 'compact yes', q: `${BASE}&compact=yes`, code: 'BAD_COMPACT' },
    { name: 'compact empty', q: `${BASE}&compact=`, code: 'BAD_COMPACT' },
    { name: 'key of 65 bytes', q: `${BASE}&key=${'k'.repeat(65)}`, code: 'BAD_KEY' },
    { name: 'key huge', q: `${BASE}&key=${'%6b'.repeat(10_000)}`, code: 'BAD_KEY' },
    { name: 'bad escape in an unknown name', q: `${BASE}&%zz=1`, code: 'BAD_ESCAPE' },
  ];
  for (const r of rows) test(r.name, () => expectCode(() => parseAnnounceQuery(r.q), r.code));

  test('errors carry no stack frames (cheap to throw)', () => {
    try {
      parseAnnounceQuery('');
      assert.fail('expected a ProtocolError');
    } catch (err) {
      assert.ok(err instanceof ProtocolError);
      assert.equal(err.name, 'ProtocolError');
      assert.equal(String(err.stack).split('\n').length, 1);
    }
    assert.ok(Error.stackTraceLimit > 0, 'the global limit is restored');
  });

  test('golden H1 query constant matches the hex', () => {
    assert.equal(binToHex(parseAnnounceQuery(`info_hash=${H1_QUERY}&port=1`).infoHash), H1_HEX);
  });
});
