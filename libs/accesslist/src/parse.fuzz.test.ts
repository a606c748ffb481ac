import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { accessListHas, addToAccessList, removeFromAccessList } from './append.js';
import { binToHex } from '../../protocol/src/bin-key.js';
import { parseAccessList } from './parse.js';

/**
 * Property-based fuzzing of the whitelist parser and editor (seeded, so CI is reproducible): 110k inputs, generated
 * and mutated. Whatever the text, nothing throws and the result is bounded by the input.
 */
const hex40 = fc.stringMatching(/^[0-9a-fA-F]{40}$/);
/** Pieces a hostile or broken list is made of. */
const piece = fc.oneof(
  hex40,
  hex40.map((h) => `${h}\n`),
  hex40.map((h) => `${h} comment\r\n`),
  fc.constantFrom('\n', '\r\n', '\r', '\uFEFF', '#', ' ', '\t', '\0', '\u2028', 'g', '0', 'F', '０', '\uD800'),
  fc.string({ maxLength: 50, unit: 'binary' }),
);
const hostileText = fc.oneof(
  fc.string({ maxLength: 600, unit: 'binary' }),
  fc.array(piece, { maxLength: 40 }).map((p) => p.join('')),
);

/** A valid list and its expected hashes, then a random mutation of its text. */
const mutated = fc
  .tuple(
    fc.array(fc.tuple(hex40, fc.boolean()), { maxLength: 30 }),
    fc.array(fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.string({ maxLength: 3, unit: 'binary' })), { maxLength: 5 }),
  )
  .map(([entries, edits]) => {
    let text = entries.map(([h, c]) => (c ? `${h} # note` : h)).join('\n');
    for (const [at, kind, s] of edits) {
      const i = text.length === 0 ? 0 : at % (text.length + 1);
      if (kind === 0)
        text = text.slice(0, i) + s + text.slice(i); // insert
      else if (kind === 1)
        text = text.slice(0, i) + text.slice(i + 1); // delete
      else if (kind === 2)
        text = text.slice(0, i) + text.slice(i, i + 1).toUpperCase() + text.slice(i + 1); // case
      else text = text.slice(0, i); // truncate
    }
    return text;
  });

function checkBounded(text: string): void {
  const r = parseAccessList(text);
  const lines = text.split('\n').length;
  assert.ok(r.hashes.size <= lines);
  assert.ok(r.ignored.length <= lines);
  for (const k of r.hashes) assert.equal(k.length, 20);
  let prev = 0;
  for (const l of r.ignored) {
    assert.ok(l.line > prev && l.line <= lines, 'ascending line numbers within the file');
    assert.ok(l.text.length <= 80);
    prev = l.line;
  }
}

describe('access list fuzz', () => {
  test('parseAccessList: 50k hostile texts, no throw, bounded output', () => {
    fc.assert(
      fc.property(hostileText, (text) => checkBounded(text)),
      { seed: 42, numRuns: 50_000 },
    );
  });

  test('parseAccessList: 30k mutated valid lists, no throw; unmutated lists give exactly their hashes', () => {
    fc.assert(
      fc.property(mutated, (text) => checkBounded(text)),
      { seed: 42, numRuns: 25_000 },
    );
    fc.assert(
      fc.property(fc.array(hex40, { maxLength: 30 }), fc.constantFrom('\n', '\r\n'), (hashes, eol) => {
        const got = [...parseAccessList(hashes.join(eol)).hashes].map(binToHex).sort();
        assert.deepEqual(got, [...new Set(hashes.map((h) => h.toLowerCase()))].sort());
      }),
      { seed: 42, numRuns: 5_000 },
    );
  });

  test('add/remove on 30k hostile texts: no throw, the hash is listed (or not) afterwards, other entries untouched', () => {
    fc.assert(
      fc.property(hostileText, hex40, fc.string({ maxLength: 300, unit: 'binary' }), (text, hash, comment) => {
        const others = [...parseAccessList(text).hashes]
          .map(binToHex)
          .filter((h) => h !== hash.toLowerCase())
          .sort();
        const added = addToAccessList(text, hash, comment);
        assert.equal(accessListHas(added, hash), true);
        assert.ok(added.length <= text.length + 2 + 41 + 200 + 2, 'one line of bounded length appended at most');
        const removed = removeFromAccessList(added, hash);
        assert.equal(accessListHas(removed, hash), false);
        const kept = [...parseAccessList(removed).hashes].map(binToHex).sort();
        assert.deepEqual(kept, others);
      }),
      { seed: 42, numRuns: 30_000 },
    );
  });
});
