import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import bencode from 'bencode';
import {
  encodeAnnounce,
  encodeAnnounceDict,
  encodeAnnounceStopped,
  encodeFailure,
  encodeScrape,
  type AnnounceReply,
  type ScrapeFile,
} from './bencode-replies.js';
import { hexToBin } from './bin-key.js';
import { PROTOCOL_ERROR_TEXTS } from './errors.js';
import { H1_HEX, HA_HEX, HTTP_BODIES } from './vectors/golden.js';

/** Deterministic PRNG (mulberry32), so failures reproduce. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const rand = prng(20240601);
const EDGE_INTS = [0, 1, 9, 10, 99, 100, 999, 1000, 65535, 2 ** 31 - 1, 2 ** 32, 2 ** 53 - 1, -1, -10];
function randInt(): number {
  const r = rand();
  if (r < 0.3) return EDGE_INTS[Math.floor(rand() * EDGE_INTS.length)]!;
  if (r < 0.6) return Math.floor(rand() * 2000);
  return Math.floor(rand() * Number.MAX_SAFE_INTEGER);
}
function randBytes(n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

function same(ours: Uint8Array, theirs: Uint8Array): void {
  assert.equal(Buffer.from(ours).toString('latin1'), Buffer.from(theirs).toString('latin1'));
}

/** The counts of an announce reply as the reference dict spells them ('min interval' with its space). */
function countsDict(r: { complete: number; downloaded: number; incomplete: number; interval: number; minInterval: number }) {
  return { complete: r.complete, downloaded: r.downloaded, incomplete: r.incomplete, interval: r.interval, 'min interval': r.minInterval };
}

describe('encodeAnnounce equals the bencode package', () => {
  const rows: AnnounceReply[] = [
    { complete: 0, downloaded: 0, incomplete: 0, interval: 0, minInterval: 0, peers: Buffer.alloc(0), peers6: null },
    { complete: 0, downloaded: 0, incomplete: 0, interval: 1800, minInterval: 900, peers: Buffer.alloc(0), peers6: Buffer.alloc(0) },
    { complete: 1, downloaded: 2, incomplete: 3, interval: 1620, minInterval: 810, peers: randBytes(6 * 200), peers6: randBytes(18 * 66) },
  ];
  for (let i = 0; i < 300; i++) {
    rows.push({
      complete: randInt(),
      downloaded: randInt(),
      incomplete: randInt(),
      interval: randInt(),
      minInterval: randInt(),
      peers: randBytes(6 * Math.floor(rand() * 60)),
      peers6: rand() < 0.5 ? null : randBytes(18 * Math.floor(rand() * 20)),
    });
  }
  test(`${rows.length} rows`, () => {
    for (const r of rows) {
      same(
        encodeAnnounce(r),
        bencode.encode({
          ...countsDict(r),
          peers: r.peers,
          ...(r.peers6 === null ? {} : { peers6: r.peers6 }),
        }),
      );
    }
  });
});

describe('encodeAnnounceStopped equals the bencode package', () => {
  test('300 rows', () => {
    for (let i = 0; i < 300; i++) {
      const r = { complete: randInt(), incomplete: randInt(), interval: randInt(), minInterval: randInt() };
      same(
        encodeAnnounceStopped(r),
        bencode.encode({
          complete: r.complete,
          incomplete: r.incomplete,
          interval: r.interval,
          'min interval': r.minInterval,
          peers: Buffer.alloc(0),
        }),
      );
    }
  });
});

describe('encodeAnnounceDict equals the bencode package', () => {
  const ips = ['127.0.0.1', '10.0.0.255', '255.255.255.255', '::1', '2001:db8::8a2e:370:7334', 'fe80::1%eth0', ''];
  test('200 rows', () => {
    for (let i = 0; i < 200; i++) {
      const peers = Array.from({ length: Math.floor(rand() * 30) }, () => ({
        ip: ips[Math.floor(rand() * ips.length)]!,
        port: Math.floor(rand() * 65536),
      }));
      const r = { complete: randInt(), downloaded: randInt(), incomplete: randInt(), interval: randInt(), minInterval: randInt(), peers };
      same(
        encodeAnnounceDict(r),
        bencode.encode({
          ...countsDict(r),
          peers: peers.map((p) => ({ ip: p.ip, port: p.port })),
        }),
      );
    }
  });
});

describe('encodeFailure equals the bencode package', () => {
  const texts = [
    '',
    'x',
    ...Object.values(PROTOCOL_ERROR_TEXTS),
    'é ünïcödé ✓ 🚀',
    'a'.repeat(9),
    'a'.repeat(10),
    'a'.repeat(100_000),
    'nul\u0000inside',
    'colon:and e',
  ];
  for (const t of texts) {
    test(JSON.stringify(t.slice(0, 40)), () => same(encodeFailure(t), bencode.encode({ 'failure reason': t })));
  }
});

/** Reference scrape body: bencode for every piece, byte order for the outer keys (bencode's own Map sort is by UTF-8 text). */
function referenceScrape(files: ScrapeFile[], minRequestInterval?: number): Buffer {
  const distinct = new Map<string, ScrapeFile>();
  for (const f of files) if (!distinct.has(f.infoHash)) distinct.set(f.infoHash, f);
  const keys = [...distinct.keys()].sort((a, b) => Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1')));
  const parts: Uint8Array[] = [Buffer.from('d5:filesd')];
  for (const k of keys) {
    const f = distinct.get(k)!;
    parts.push(
      bencode.encode(Buffer.from(k, 'latin1')),
      bencode.encode({ complete: f.complete, downloaded: f.downloaded, incomplete: f.incomplete }),
    );
  }
  parts.push(Buffer.from('e'));
  if (minRequestInterval !== undefined) parts.push(Buffer.from('5:flags'), bencode.encode({ min_request_interval: minRequestInterval }));
  parts.push(Buffer.from('e'));
  return Buffer.concat(parts);
}

describe('encodeScrape', () => {
  test('ASCII keys: equals bencode of a plain object', () => {
    for (let i = 0; i < 100; i++) {
      const files: ScrapeFile[] = Array.from({ length: Math.floor(rand() * 10) }, () => ({
        infoHash: randBytes(10).toString('hex').slice(0, 20),
        complete: randInt(),
        downloaded: randInt(),
        incomplete: randInt(),
      }));
      const obj: Record<string, unknown> = {};
      for (const f of [...files].reverse()) obj[f.infoHash] = { complete: f.complete, downloaded: f.downloaded, incomplete: f.incomplete };
      same(encodeScrape(files), bencode.encode({ files: obj }));
    }
  });

  test('binary keys: sorted by raw bytes, duplicates written once', () => {
    for (let i = 0; i < 200; i++) {
      const pool = Array.from({ length: 1 + Math.floor(rand() * 8) }, () => randBytes(20).toString('latin1'));
      const files: ScrapeFile[] = Array.from({ length: Math.floor(rand() * 12) }, () => ({
        infoHash: pool[Math.floor(rand() * pool.length)]!,
        complete: randInt(),
        downloaded: randInt(),
        incomplete: randInt(),
      }));
      same(encodeScrape(files), referenceScrape(files));
      const mri = Math.floor(rand() * 3600);
      same(encodeScrape(files, { minRequestInterval: mri }), referenceScrape(files, mri));
    }
  });

  test('bytes 0x00 and 0xFF order as bytes', () => {
    const lo = '\x00'.repeat(20);
    const hi = '\xff'.repeat(20);
    const mid = '\x7f'.repeat(19) + '\x80';
    const body = encodeScrape([hi, mid, lo].map((infoHash) => ({ infoHash, complete: 0, downloaded: 0, incomplete: 0 }))).toString(
      'latin1',
    );
    assert.ok(body.indexOf(lo) < body.indexOf(mid) && body.indexOf(mid) < body.indexOf(hi));
  });

  test('empty', () => {
    assert.equal(encodeScrape([]).toString('latin1'), 'd5:filesdee');
    same(encodeScrape([]), bencode.encode({ files: {} }));
  });

  test('flags equal bencode', () => {
    same(encodeScrape([], { minRequestInterval: 900 }), bencode.encode({ files: {}, flags: { min_request_interval: 900 } }));
  });

  test('input array is not reordered', () => {
    const files = [HA_HEX, H1_HEX].map((h) => ({ infoHash: hexToBin(h), complete: 0, downloaded: 0, incomplete: 0 }));
    const before = files.map((f) => f.infoHash);
    encodeScrape(files);
    assert.deepEqual(
      files.map((f) => f.infoHash),
      before,
    );
  });
});

describe('programmer errors', () => {
  const base = { complete: 0, downloaded: 0, incomplete: 0, interval: 1800, minInterval: 900, peers: Buffer.alloc(0), peers6: null };
  for (const bad of [1.5, Number.NaN, Infinity, 2 ** 53]) {
    test(`integer ${bad} -> RangeError`, () => assert.throws(() => encodeAnnounce({ ...base, complete: bad }), RangeError));
  }
});

describe('golden bodies (captured from opentracker, vectors/golden.ts)', () => {
  const peer = (port: number): Buffer => Buffer.from([127, 0, 0, 1, port >> 8, port & 0xff]);
  const H1 = hexToBin(H1_HEX);
  const HA = hexToBin(HA_HEX);
  const rows: Array<{ name: string; body: Buffer; want: string; length: number }> = [
    {
      name: 'G1 first announce',
      length: 98,
      want: HTTP_BODIES.G1,
      body: encodeAnnounce({
        complete: 0,
        downloaded: 0,
        incomplete: 1,
        interval: 1644,
        minInterval: 822,
        peers: peer(6881),
        peers6: null,
      }),
    },
    {
      name: 'G2 completed',
      length: 105,
      want: HTTP_BODIES.G2,
      body: encodeAnnounce({
        complete: 1,
        downloaded: 1,
        incomplete: 1,
        interval: 1942,
        minInterval: 971,
        peers: Buffer.concat([peer(6881), peer(6882)]),
        peers6: null,
      }),
    },
    {
      name: 're-announce',
      length: 105,
      want: HTTP_BODIES.reannounce,
      body: encodeAnnounce({
        complete: 1,
        downloaded: 1,
        incomplete: 1,
        interval: 1814,
        minInterval: 907,
        peers: Buffer.concat([peer(6881), peer(6882)]),
        peers6: null,
      }),
    },
    {
      name: 'AA seeder',
      length: 98,
      want: HTTP_BODIES.extras,
      body: encodeAnnounce({
        complete: 1,
        downloaded: 0,
        incomplete: 0,
        interval: 1654,
        minInterval: 827,
        peers: peer(7001),
        peers6: null,
      }),
    },
    { name: 'G4 not authorized', length: 85, want: HTTP_BODIES.G4, body: encodeFailure(PROTOCOL_ERROR_TEXTS.NOT_AUTHORIZED) },
    { name: 'G5 missing info_hash', length: 102, want: HTTP_BODIES.G5, body: encodeFailure(PROTOCOL_ERROR_TEXTS.MISSING_INFO_HASH) },
    {
      name: 'single scrape',
      length: 81,
      want: HTTP_BODIES.scrapeOne,
      body: encodeScrape([{ infoHash: H1, complete: 1, downloaded: 1, incomplete: 1 }]),
    },
    {
      name: 'G7 multi-scrape (unknown hash omitted by the caller)',
      length: 151,
      want: HTTP_BODIES.G7,
      body: encodeScrape([
        { infoHash: HA, complete: 1, downloaded: 0, incomplete: 0 },
        { infoHash: H1, complete: 1, downloaded: 1, incomplete: 1 },
      ]),
    },
    {
      name: 'stopped',
      length: HTTP_BODIES.stopped.length,
      want: HTTP_BODIES.stopped,
      body: encodeAnnounceStopped({ complete: 2, incomplete: 1, interval: 1792, minInterval: 896 }),
    },
  ];
  for (const r of rows) {
    test(r.name, () => {
      assert.equal(r.body.length, r.length);
      assert.equal(r.body.toString('latin1'), r.want);
    });
  }
});
