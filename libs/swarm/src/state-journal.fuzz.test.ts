import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { CompletionRing } from './completion-ring.js';
import { formatJournalHeader, formatJournalLine, parseJournal } from './journal-format.js';
import { formatStateJournalLine, formatStateRow, parseState } from './statedump.js';

/**
 * The state file and the completion journal are read back at every start, after crashes, full disks and
 * hand edits: whatever they hold, the parsers must return (never throw), stay within the input's size, and
 * never hand back an entry twice or out of order. 120,000 generated and mutated inputs, seeded.
 */
const hexChar = fc.constantFrom(...'0123456789abcdef');
const hex40 = fc.array(hexChar, { minLength: 40, maxLength: 40 }).map((a) => a.join(''));

const validJournal = fc
  .tuple(
    fc.array(hexChar, { minLength: 16, maxLength: 16 }).map((a) => a.join('')),
    fc.nat(1000),
    fc.array(fc.tuple(fc.nat(1e12), hex40), { maxLength: 30 }),
  )
  .map(([id, base, rows]) => formatJournalHeader(id, base) + rows.map(([t, h], i) => formatJournalLine(base + i + 1, t, h)).join(''));

const validState = fc
  .tuple(
    fc.option(
      fc.tuple(
        fc.array(hexChar, { minLength: 16, maxLength: 16 }).map((a) => a.join('')),
        fc.nat(1e6),
      ),
    ),
    fc.array(fc.tuple(hex40, fc.nat(4e7), fc.nat(1e9)), { maxLength: 30 }),
  )
  .map(([j, rows]) => (j === null ? '' : formatStateJournalLine(j[0], j[1])) + rows.map(([h, b, d]) => formatStateRow(h, b, d)).join(''));

/** Byte-level damage: truncation (torn append), flips, inserted junk, duplicated and swapped slices. */
function mutated(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(valid, fc.array(fc.tuple(fc.nat(4), fc.nat(), fc.nat(), fc.string({ maxLength: 12, unit: 'binary' })), { maxLength: 6 }))
    .map(([text, edits]) => {
      let s = text;
      for (const [kind, a, b, junk] of edits) {
        const i = s.length === 0 ? 0 : a % s.length;
        const j = s.length === 0 ? 0 : b % s.length;
        switch (kind) {
          case 0:
            s = s.slice(0, i);
            break;
          case 1:
            s = s.slice(0, i) + String.fromCharCode((s.charCodeAt(i) ^ (1 + (b & 0x7f))) & 0xff) + s.slice(i + 1);
            break;
          case 2:
            s = s.slice(0, i) + junk + s.slice(i);
            break;
          case 3:
            s = s.slice(0, i) + s.slice(Math.min(i, j), Math.max(i, j)) + s.slice(i);
            break;
          default:
            s = s.slice(j) + s.slice(0, j);
            break;
        }
      }
      return s;
    });
}

const anyText = fc.oneof(
  fc.string({ maxLength: 400, unit: 'binary' }),
  fc.string({ maxLength: 400, unit: fc.constantFrom('0', '1', '9', 'a', 'F', ':', ' ', '\n', '\r', '#', '-') }),
);

function checkJournal(text: string, keep: number): void {
  const p = parseJournal(text, keep);
  assert.ok(p.entries.length <= keep);
  assert.ok(p.count >= p.entries.length);
  assert.ok(p.validBytes + p.tornBytes === text.length && p.tornBytes >= 0);
  assert.ok(p.bad.length <= 20);
  for (let i = 1; i < p.entries.length; i++) assert.ok(p.entries[i]!.seq > p.entries[i - 1]!.seq, 'seqs go up');
  for (const e of p.entries) {
    assert.ok(Number.isSafeInteger(e.seq) && e.seq > p.base);
    assert.match(e.hex, /^[0-9a-f]{40}$/);
  }
  // what the feed would hold after reading it back: consecutive seqs, never more than its capacity
  const ring = new CompletionRing(Math.min(keep, 50), p.entries[0] ? p.entries[0].seq - 1 : p.base);
  for (const e of p.entries) ring.pushHex(e.seq, e.timeMs, e.hex);
  const served = ring.since(0, 100);
  assert.ok(served.length <= 50);
  for (let i = 1; i < served.length; i++) assert.equal(served[i]![0], served[i - 1]![0] + 1);
}

function checkState(text: string): void {
  const p = parseState(text);
  assert.ok(p.bad.length <= 1000);
  for (const r of p.rows) {
    assert.match(r.hex, /^[0-9a-f]{40}$/);
    assert.ok(Number.isSafeInteger(r.downloaded) && r.downloaded >= 0);
    assert.ok(Number.isSafeInteger(r.baseMinute) && r.baseMinute >= 0);
  }
  if (p.journal !== null) assert.ok(Number.isSafeInteger(p.journal.seq));
}

describe('fuzz: completion journal reader', () => {
  test('valid journals read back exactly', () => {
    fc.assert(
      fc.property(validJournal, (text) => {
        const p = parseJournal(text);
        assert.equal(p.badCount, 0);
        assert.equal(p.tornBytes, 0);
        assert.equal(p.entries.length, text.split('\n').length - 2);
      }),
      { seed: 42, numRuns: 5000 },
    );
  });
  test('mutated journals: no throw, ordered, bounded', () => {
    fc.assert(
      fc.property(mutated(validJournal), fc.integer({ min: 1, max: 40 }), (t, k) => checkJournal(t, k)),
      { seed: 42, numRuns: 30000 },
    );
  });
  test('arbitrary text: no throw, ordered, bounded', () => {
    fc.assert(
      fc.property(anyText, (t) => checkJournal(t, 1000)),
      { seed: 43, numRuns: 25000 },
    );
  });
});

describe('fuzz: state file reader', () => {
  test('valid state files read back exactly', () => {
    fc.assert(
      fc.property(validState, (text) => {
        const p = parseState(text);
        assert.equal(p.bad.length, 0);
        assert.equal(p.rows.length, text.split('\n').filter((l) => /^[0-9A-F]{40}:/.test(l)).length);
        assert.equal(p.journal !== null, text.startsWith('# journal '));
      }),
      { seed: 42, numRuns: 5000 },
    );
  });
  test('mutated state files: no throw, well-formed rows', () => {
    fc.assert(
      fc.property(mutated(validState), (t) => checkState(t)),
      { seed: 42, numRuns: 30000 },
    );
  });
  test('arbitrary text: no throw, well-formed rows', () => {
    fc.assert(
      fc.property(anyText, (t) => checkState(t)),
      { seed: 44, numRuns: 25000 },
    );
  });
  test('a huge garbage file stays bounded in what it reports', () => {
    const p = parseState('x\n'.repeat(200000));
    assert.equal(p.bad.length, 1000);
    const j = parseJournal('y\n'.repeat(200000), 10);
    assert.equal(j.bad.length, 20);
    assert.equal(j.badCount, 200000);
  });
});
