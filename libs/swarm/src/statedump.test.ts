import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatStateJournalLine, formatStateRow, parseState } from './statedump.js';

describe('statedump format', () => {
  test('round trip and opentracker sample', () => {
    const text =
      formatStateRow('0123456789abcdef0123456789abcdef01234567', 29922635, 2) + 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA:29922635:0\n';
    assert.equal(text.split('\n')[0], '0123456789ABCDEF0123456789ABCDEF01234567:29922635:2');
    const p = parseState(text);
    assert.deepEqual(
      p.rows.map((r) => [r.hex.slice(0, 4), r.downloaded]),
      [
        ['0123', 2],
        ['aaaa', 0],
      ],
    );
    assert.equal(p.bad.length, 0);
  });
  test('bad lines are reported with their numbers', () => {
    const p = parseState(
      'zz:1:2\n' + 'A'.repeat(40) + ':1\n\n' + 'A'.repeat(41) + ':1:1\r\n' + 'b'.repeat(40) + ':1:-1\n' + 'c'.repeat(40) + ':7:9\r\n',
    );
    assert.deepEqual(
      p.bad.map((b) => b.line),
      [1, 2, 4, 5],
    );
    assert.equal(p.rows.length, 1);
  });
});

describe('statedump round trip (formatStateJournalLine/formatStateRow -> parseState)', () => {
  const hex40 = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => Buffer.from(b).toString('hex'));
  const id = fc.uint8Array({ minLength: 8, maxLength: 16 }).map((b) => Buffer.from(b).toString('hex'));
  const count = fc.maxSafeNat().filter((n) => String(n).length <= 15);
  test('what the tracker writes reads back unchanged', () => {
    const rows = fc.array(fc.record({ hex: hex40, baseMinute: count, downloaded: count }), { maxLength: 30 });
    const journal = fc.option(fc.record({ id, seq: count }));
    fc.assert(
      fc.property(journal, rows, (j, rs) => {
        const text =
          (j === null ? '' : formatStateJournalLine(j.id, j.seq)) +
          rs.map((r) => formatStateRow(r.hex, r.baseMinute, r.downloaded)).join('');
        const p = parseState(text);
        assert.deepEqual(p.bad, []);
        assert.deepEqual(p.journal, j === null ? null : { ...j });
        assert.deepEqual(
          p.rows,
          rs.map((r) => ({ ...r })),
        );
      }),
      { seed: 42, numRuns: 2000 },
    );
  });
});
