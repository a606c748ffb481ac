import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseTxtp } from '../../../libs/protocol/src/txtp.js';
import { FEED_MAX_ENTRIES, parseCompletionFeed } from './parse-completions.js';
import { parseCompletedMode, parseEverythingMode } from './parse-mrtg.js';

/**
 * Property fuzz of every parser the page applies to the tracker's replies: generated and mutated
 * inputs, seeded so CI is reproducible. No throw may escape, and what comes out is bounded by what came in.
 */
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 50_000);
const lowHex40 = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => Buffer.from(b).toString('hex'));
const hex40 = fc.tuple(lowHex40, fc.boolean()).map(([h, up]) => (up ? h.toUpperCase() : h));
const hexOf = (min: number, max: number): fc.Arbitrary<string> =>
  fc.uint8Array({ minLength: min, maxLength: max }).map((b) => Buffer.from(b).toString('hex').slice(0, max));
const count = fc.oneof(fc.nat(1000), fc.constant(Number.MAX_SAFE_INTEGER), fc.nat());

/** Byte-level mutations of a valid body: flip, cut, insert, duplicate. */
function mutate(base: string): fc.Arbitrary<string> {
  return fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3 }), fc.string({ maxLength: 4 })), { maxLength: 6 }).map((ops) => {
    let s = base;
    for (const [at, kind, text] of ops) {
      const i = s.length === 0 ? 0 : at % s.length;
      if (kind === 0) s = s.slice(0, i) + String.fromCharCode((s.charCodeAt(i) ^ (1 << (at % 8))) & 0xff) + s.slice(i + 1);
      else if (kind === 1) s = s.slice(0, i);
      else if (kind === 2) s = s.slice(0, i) + text + s.slice(i);
      else s = s + s.slice(i);
    }
    return s;
  });
}

describe('parser fuzz (fast-check, seeded)', () => {
  test(`txtp: ${2 * RUNS} generated and mutated bodies, no throw, entries bounded by lines`, () => {
    const line = fc.tuple(hex40, count, count, count).map(([h, s, l, d]) => `${h}:${s}:${l}:${d}`);
    const body = fc.array(line, { maxLength: 8 }).map((ls) => ls.join('\n') + '\n');
    const check = (text: string): void => {
      const r = parseTxtp(text);
      const lines = text.split('\n').length;
      assert.ok(r.entries.length + r.errors.length <= lines);
      for (const e of r.entries) {
        assert.match(e.infoHash, /^[0-9a-f]{40}$/);
        assert.ok(Number.isSafeInteger(e.seeders) && Number.isSafeInteger(e.leechers) && Number.isSafeInteger(e.downloaded));
      }
      for (const e of r.errors) assert.ok(e.text.length <= 80);
    };
    fc.assert(fc.property(fc.oneof(body, fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 100 })), check), {
      seed: 42,
      numRuns: RUNS,
    });
    fc.assert(fc.property(body.chain(mutate), check), { seed: 43, numRuns: RUNS });
  });

  test(`completion feed: ${2 * RUNS} generated and mutated replies, no throw, accepted pages are consistent`, () => {
    const feed = fc.tuple(hexOf(1, 8), fc.nat(50), fc.integer({ min: 0, max: 8 }), fc.nat(5)).chain(([journal, since, n, skip]) =>
      fc
        .array(fc.tuple(fc.integer({ min: 946_684_800_000, max: 2_000_000_000_000 }), lowHex40), { minLength: n, maxLength: n })
        .map((es) => ({
          since,
          text: JSON.stringify({
            journal,
            first: since + 1 + skip,
            last: since + skip + es.length,
            entries: es.map(([t, h], i) => [since + 1 + skip + i, t, h]),
          }),
        })),
    );
    const check = (text: string, since: number): void => {
      const r = parseCompletionFeed(text, since);
      if (!r.ok) {
        assert.equal(typeof r.error, 'string');
        return;
      }
      const { batch } = r;
      assert.ok(batch.entries.length <= FEED_MAX_ENTRIES);
      let prev = since;
      for (const e of batch.entries) {
        assert.ok(e.seq > prev && e.seq <= batch.last);
        if (prev !== since) assert.equal(e.seq, prev + 1);
        prev = e.seq;
        assert.match(e.infoHash, /^[0-9a-f]{40}$/);
      }
    };
    fc.assert(
      fc.property(
        fc.oneof(feed, fc.record({ since: fc.nat(10), text: fc.oneof(fc.string({ maxLength: 200 }), fc.json()) })),
        ({ text, since }) => check(text, since),
      ),
      { seed: 44, numRuns: RUNS },
    );
    fc.assert(
      fc.property(
        feed.chain(({ since, text }) => mutate(text).map((m) => ({ since, text: m }))),
        ({ text, since }) => check(text, since),
      ),
      { seed: 45, numRuns: RUNS },
    );
  });

  test('mode=completed and mode=everything: generated and mutated replies, no throw', () => {
    const good = fc
      .tuple(fc.nat(), fc.nat())
      .map(([c, u]) => `${c}\n0\n${u} seconds (${Math.floor(u / 3600)} hours)\nopentracker, 0 completed/h.`);
    fc.assert(
      fc.property(fc.oneof(good, good.chain(mutate), fc.string({ maxLength: 200 })), (text) => {
        const r = parseCompletedMode(text);
        if (r !== null) assert.ok(Number.isSafeInteger(r.uptimeSeconds) && Number.isSafeInteger(r.completedSinceStart));
      }),
      { seed: 46, numRuns: 20_000 },
    );
    const xml = fc
      .tuple(fc.nat(), fc.nat(), fc.nat())
      .map(([id, u, c]) => `<stats><tracker_id>${id}</tracker_id><uptime>${u}</uptime><completed><count>${c}</count></completed></stats>`);
    fc.assert(
      fc.property(fc.oneof(xml, xml.chain(mutate), fc.string({ maxLength: 200 })), (text) => {
        const r = parseEverythingMode(text);
        if (r !== null) assert.ok(Number.isSafeInteger(r.uptimeSeconds) && Number.isSafeInteger(r.completedSinceStart));
      }),
      { seed: 47, numRuns: 20_000 },
    );
  });
});
