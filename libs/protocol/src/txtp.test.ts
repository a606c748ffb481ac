import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hexToBin } from './bin-key.js';
import { formatTxtpLine, parseTxtp } from './txtp.js';

const H1 = '0123456789ABCDEF0123456789ABCDEF01234567';
const H2 = 'A'.repeat(40);
// The exact body Debian opentracker 0.0~git20210823.110868e sends for /stats?mode=tpbs&format=txtp (captured).
const GOLDEN = `${H1}:2:1:2\n${H2}:1:0:0\n`;

describe('parseTxtp', () => {
  test('golden opentracker body, uppercase hex becomes lowercase', () => {
    const r = parseTxtp(GOLDEN);
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.entries, [
      { infoHash: H1.toLowerCase(), seeders: 2, leechers: 1, downloaded: 2 },
      { infoHash: H2.toLowerCase(), seeders: 1, leechers: 0, downloaded: 0 },
    ]);
  });

  test('empty body is a valid dump of no torrents', () => {
    assert.deepEqual(parseTxtp(''), { entries: [], errors: [] });
    assert.deepEqual(parseTxtp('\n\n'), { entries: [], errors: [] });
  });

  test('CRLF line ends are accepted', () => {
    assert.equal(parseTxtp(`${H1}:1:2:3\r\n`).entries[0]?.downloaded, 3);
  });

  const bad: { name: string; line: string; reason: RegExp }[] = [
    { name: 'txt format (no downloaded)', line: `${H1}:2:1`, reason: /expected/ },
    { name: '39 hex digits', line: `${H1.slice(1)}:1:1:1`, reason: /expected/ },
    { name: '41 hex digits', line: `${H1}0:1:1:1`, reason: /expected/ },
    { name: 'non-hex digit', line: `${'G'.repeat(40)}:1:1:1`, reason: /expected/ },
    { name: 'negative count', line: `${H1}:-1:1:1`, reason: /expected/ },
    { name: 'decimal count', line: `${H1}:1:1:1.5`, reason: /expected/ },
    { name: 'count beyond 2^53', line: `${H1}:1:1:9999999999999999`, reason: /range/ },
    { name: 'extra field', line: `${H1}:1:1:1:1`, reason: /expected/ },
    { name: 'leading space', line: ` ${H1}:1:1:1`, reason: /expected/ },
    { name: 'html error page', line: '<title>Access Denied</title>', reason: /expected/ },
    { name: 'url format', line: '%01%23Eg:2:1', reason: /expected/ },
  ];
  for (const row of bad) {
    test(`bad line skipped and reported with its line number: ${row.name}`, () => {
      const r = parseTxtp(`${H2}:1:0:4\n${row.line}\n${H1}:0:0:7\n`);
      assert.deepEqual(
        r.entries.map((e) => e.downloaded),
        [4, 7],
      );
      assert.equal(r.errors.length, 1);
      assert.equal(r.errors[0]!.line, 2);
      assert.match(r.errors[0]!.reason, row.reason);
    });
  }

  test('a repeated hash keeps the first line and reports the second', () => {
    const r = parseTxtp(`${H1}:1:0:4\n${H1.toLowerCase()}:9:9:9\n`);
    assert.equal(r.entries.length, 1);
    assert.equal(r.entries[0]!.downloaded, 4);
    assert.deepEqual(
      r.errors.map((e) => [e.line, e.reason]),
      [[2, 'repeated info hash']],
    );
  });

  test('a huge garbage line is cut in the report', () => {
    const r = parseTxtp('x'.repeat(10_000));
    assert.equal(r.errors[0]!.text.length, 80);
  });
});

describe('txtp round trip (formatTxtpLine -> parseTxtp)', () => {
  test('what the tracker writes, the site reads back unchanged', () => {
    const row = fc.record({
      hex: fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => Buffer.from(b).toString('hex')),
      seeders: fc.nat(),
      leechers: fc.nat(),
      downloaded: fc.maxSafeNat().filter((n) => String(n).length <= 16),
    });
    fc.assert(
      fc.property(fc.uniqueArray(row, { selector: (r) => r.hex, maxLength: 30 }), (rows) => {
        const body = rows.map((r) => formatTxtpLine(hexToBin(r.hex), r.seeders, r.leechers, r.downloaded)).join('');
        const parsed = parseTxtp(body);
        assert.deepEqual(parsed.errors, []);
        assert.deepEqual(
          parsed.entries,
          rows.map((r) => ({ infoHash: r.hex, seeders: r.seeders, leechers: r.leechers, downloaded: r.downloaded })),
        );
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  test('the hash is written upper case, as opentracker does', () => {
    assert.equal(formatTxtpLine(hexToBin('0123456789abcdef0123456789abcdef01234567'), 2, 1, 2), `${H1}:2:1:2\n`);
  });
});
