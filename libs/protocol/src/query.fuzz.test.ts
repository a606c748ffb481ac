import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { latin1, mutated, bytesOf } from '../../../test/helpers/fuzz.js';
import { parseAnnounceQuery } from './announce-request.js';
import { ProtocolError } from './errors.js';
import { parseQuery } from './query.js';
import { parseScrapeQuery } from './scrape-request.js';

/**
 * Fuzz of the query parsers that read every HTTP announce and scrape: parseAnnounceQuery, parseScrapeQuery
 * and the general parseQuery each get the same 110,000 generated, mutated and raw queries (plus 10,000
 * round trips). For every input: a result that is well-formed, or a ProtocolError (what the client is told),
 * never another exception. A plain reference decoder (split on '&', then '=', then percent-decode) is the
 * oracle for what the single-pass scanner must find.
 */

const SEED = 4242;
const SCRAPE_MAX = 64;
const MAX_REPEATS = 8;

/** The slow, obvious reading of a query: [name, value bytes] pairs, or 'bad' for a malformed escape. */
function reference(q: string): Array<[string, Buffer]> | 'bad' {
  const out: Array<[string, Buffer]> = [];
  const decode = (s: string): Buffer | null => {
    const bytes: number[] = [];
    for (let i = 0; i < s.length; i++) {
      const ch = s.charCodeAt(i);
      if (ch === 0x25) {
        const h = s.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(h)) return null;
        bytes.push(parseInt(h, 16));
        i += 2;
      } else if (ch === 0x2b) bytes.push(0x20);
      else if (ch > 0xff) return null;
      else bytes.push(ch);
    }
    return Buffer.from(bytes);
  };
  for (const seg of q.split('&')) {
    if (seg === '') continue;
    const eq = seg.indexOf('=');
    const name = decode(eq < 0 ? seg : seg.slice(0, eq));
    const value = decode(eq < 0 ? '' : seg.slice(eq + 1));
    if (name === null || value === null) return 'bad';
    out.push([name.toString('latin1'), value]);
  }
  return out;
}

function isKey20(k: unknown): boolean {
  return typeof k === 'string' && k.length === 20 && [...k].every((c) => c.charCodeAt(0) <= 0xff);
}

/** Runs the three parsers on one query and checks what they return or throw. */
function check(q: string): void {
  const ref = reference(q);
  // parseQuery: the reference, grouped by name, or BAD_ESCAPE / TOO_MANY_REPEATS
  let general: Map<string, Buffer[]> | null = null;
  try {
    general = parseQuery(q, MAX_REPEATS);
  } catch (err) {
    assert.ok(err instanceof ProtocolError, `parseQuery threw ${String(err)}`);
    if (ref !== 'bad') {
      assert.equal(err.code, 'TOO_MANY_REPEATS', `parseQuery: ${err.code} for a query the reference reads`);
      const counts = new Map<string, number>();
      for (const [n] of ref) counts.set(n, (counts.get(n) ?? 0) + 1);
      assert.ok([...counts.values()].some((n) => n > MAX_REPEATS));
    }
  }
  if (general !== null) {
    assert.notEqual(ref, 'bad', 'parseQuery accepted a malformed escape');
    const want = new Map<string, Buffer[]>();
    for (const [n, v] of ref as Array<[string, Buffer]>) want.set(n, [...(want.get(n) ?? []), v]);
    assert.deepEqual(general, want);
  }

  try {
    const a = parseAnnounceQuery(q);
    assert.ok(isKey20(a.infoHash));
    assert.ok(a.peerId === null || isKey20(a.peerId));
    assert.ok(Number.isInteger(a.port) && a.port >= 1 && a.port <= 65535);
    assert.ok(a.left === -1 || a.left >= 0);
    assert.ok(a.uploaded >= 0 && a.downloaded >= 0);
    assert.ok([0, 1, 2, 3].includes(a.event));
    assert.ok(a.numwant === null || (Number.isFinite(a.numwant) && a.numwant >= 0));
    assert.ok(a.key === null || a.key.length <= 64);
    if (ref !== 'bad') {
      const hashes = ref.filter(([n]) => n === 'info_hash');
      assert.equal(hashes.length, 1);
      assert.equal(a.infoHash, hashes[0]![1].toString('latin1'));
      const ports = ref.filter(([n]) => n === 'port');
      assert.equal(a.port, Number(ports.at(-1)![1].toString('latin1')));
    }
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    assert.ok(err instanceof ProtocolError, `parseAnnounceQuery threw ${String(err)}`);
  }

  try {
    const s = parseScrapeQuery(q, SCRAPE_MAX);
    assert.ok(s.infoHashes.length >= 1 && s.infoHashes.length <= SCRAPE_MAX);
    assert.equal(new Set(s.infoHashes).size, s.infoHashes.length);
    assert.ok(s.infoHashes.every(isKey20));
    if (ref !== 'bad') {
      const distinct = [...new Set(ref.filter(([n]) => n === 'info_hash').map(([, v]) => v.toString('latin1')))];
      assert.deepEqual(s.infoHashes, distinct.slice(0, SCRAPE_MAX));
      assert.equal(s.truncated, distinct.length > SCRAPE_MAX);
    }
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    assert.ok(err instanceof ProtocolError, `parseScrapeQuery threw ${String(err)}`);
  }
}

/** One byte written raw when it is safe, as %XX, or '+' for a space: the ways clients spell bytes. */
const encodedBytes = (min: number, max: number): fc.Arbitrary<string> =>
  fc
    .array(
      fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 3 })).map(([b, how]) => {
        if (b === 0x20 && how === 0) return '+';
        const safe = /[A-Za-z0-9._~-]/.test(String.fromCharCode(b));
        return safe && how !== 3
          ? String.fromCharCode(b)
          : '%' + b.toString(16).padStart(2, '0')[how === 2 ? 'toLowerCase' : 'toUpperCase']();
      }),
      { minLength: min, maxLength: max },
    )
    .map((parts) => parts.join(''));

const number = fc.oneof(
  fc.nat().map(String),
  fc.constantFrom('0', '-1', '65535', '65536', '18446744073709551615', '18446744073709551616', '007', '1e3', '', '%31', '+1'),
);
const param = fc.oneof(
  { weight: 4, arbitrary: encodedBytes(20, 20).map((v) => `info_hash=${v}`) },
  { weight: 1, arbitrary: encodedBytes(0, 24).map((v) => `info_hash=${v}`) },
  { weight: 2, arbitrary: encodedBytes(18, 22).map((v) => `peer_id=${v}`) },
  { weight: 3, arbitrary: number.map((v) => `port=${v}`) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom('left', 'uploaded', 'downloaded', 'numwant', 'compact', 'no_peer_id'), number)
      .map(([k, v]) => `${k}=${v}`),
  },
  { weight: 2, arbitrary: fc.constantFrom('started', 'completed', 'stopped', 'paused', '', 'st%61rted').map((v) => `event=${v}`) },
  { weight: 1, arbitrary: encodedBytes(0, 70).map((v) => `key=${v}`) },
  { weight: 2, arbitrary: fc.tuple(encodedBytes(0, 8), encodedBytes(0, 8)).map(([k, v]) => `${k}=${v}`) },
  { weight: 1, arbitrary: fc.constantFrom('info%5Fhash=%41', 'info_hash', '=', '&', 'a=b=c', 'port', '%', '%%', 'x=%4') },
);
const queryArb = fc.array(param, { minLength: 0, maxLength: 12 }).map((ps) => ps.join('&'));

test('fuzz: generated announce and scrape queries (40,000 each parser)', () => {
  fc.assert(
    fc.property(queryArb, (q) => check(q)),
    { seed: SEED, numRuns: 40_000 },
  );
});

test('fuzz: mutated queries, some with chars above 0xFF (40,000 each parser)', () => {
  const arb = fc
    .tuple(mutated(queryArb.map(bytesOf)), fc.option(fc.tuple(fc.nat(), fc.integer({ min: 0x100, max: 0xffff })), { freq: 10 }))
    .map(([b, wide]) => {
      const s = latin1(b);
      if (wide === null) return s;
      const at = wide[0] % (s.length + 1);
      return s.slice(0, at) + String.fromCharCode(wide[1]) + s.slice(at);
    });
  fc.assert(
    fc.property(arb, (q) => check(q)),
    { seed: SEED + 1, numRuns: 40_000 },
  );
});

test('fuzz: raw strings (30,000 each parser)', () => {
  const alphabet = fc.constantFrom(...'%&=+0123456789abcdefABCDEF_infohashport\x00\xff '.split(''));
  const arb = fc.oneof(fc.string({ unit: alphabet, maxLength: 120 }), fc.string({ unit: 'binary', maxLength: 120 }));
  fc.assert(
    fc.property(arb, (q) => check(q)),
    { seed: SEED + 2, numRuns: 30_000 },
  );
});

test('round trip: a valid announce written any way reads back the same (10,000)', () => {
  const arb = fc.record({
    infoHash: fc.uint8Array({ minLength: 20, maxLength: 20 }),
    peerId: fc.uint8Array({ minLength: 20, maxLength: 20 }),
    port: fc.integer({ min: 1, max: 65535 }),
    left: fc.nat(),
    numwant: fc.option(fc.nat({ max: 1000 })),
    event: fc.constantFrom(['', 0], ['started', 2], ['completed', 1], ['stopped', 3]),
    how: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 40, maxLength: 40 }),
  });
  const spell = (bytes: Uint8Array, how: readonly number[]): string =>
    [...bytes]
      .map((b, i) => {
        const h = how[i % how.length]!;
        const c = String.fromCharCode(b);
        if (/[A-Za-z0-9._~-]/.test(c) && h < 2) return c;
        return '%' + b.toString(16).padStart(2, '0')[h === 3 ? 'toLowerCase' : 'toUpperCase']();
      })
      .join('');
  fc.assert(
    fc.property(arb, (r) => {
      const q = [
        `info_hash=${spell(r.infoHash, r.how)}`,
        `peer_id=${spell(r.peerId, r.how.slice(20))}`,
        `port=${r.port}`,
        `left=${r.left}`,
        ...(r.numwant === null ? [] : [`numwant=${r.numwant}`]),
        ...(r.event[0] === '' ? [] : [`event=${r.event[0]}`]),
      ].join('&');
      const a = parseAnnounceQuery(q);
      assert.equal(a.infoHash, Buffer.from(r.infoHash).toString('latin1'));
      assert.equal(a.peerId, Buffer.from(r.peerId).toString('latin1'));
      assert.equal(a.port, r.port);
      assert.equal(a.left, r.left);
      assert.equal(a.numwant, r.numwant);
      assert.equal(a.event, r.event[1]);
      check(q);
    }),
    { seed: SEED + 3, numRuns: 10_000 },
  );
  assert.ok(process.memoryUsage().heapUsed < 512 * 1024 * 1024, 'heap stays bounded');
});
