import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { accessListHas, addToAccessList, removeFromAccessList, sanitizeComment } from './append.js';
import { parseAccessList } from './parse.js';

const A = '0123456789abcdef0123456789abcdef01234567';
const B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const U = A.toUpperCase();

describe('addToAccessList', () => {
  const rows: Array<{ name: string; text: string; hash: string; comment: string; want: string }> = [
    { name: 'empty file', text: '', hash: A, comment: 'app-1.0.iso', want: `${A} app-1.0.iso\n` },
    { name: 'no comment', text: '', hash: A, comment: '', want: `${A}\n` },
    { name: 'whitespace-only comment', text: '', hash: A, comment: ' \t\n', want: `${A}\n` },
    { name: 'appends after existing lines', text: `# list\n${B}\n`, hash: A, comment: 'x', want: `# list\n${B}\n${A} x\n` },
    { name: 'adds the missing final newline first', text: `# list\n${B}`, hash: A, comment: 'x', want: `# list\n${B}\n${A} x\n` },
    { name: 'keeps CRLF style', text: `# list\r\n${B}`, hash: A, comment: 'x', want: `# list\r\n${B}\r\n${A} x\r\n` },
    { name: 'text ending in a lone CR gets its LF', text: `${B}\r`, hash: A, comment: '', want: `${B}\r\n${A}\n` },
    { name: 'hash written in lower case', text: '', hash: U, comment: '', want: `${A}\n` },
    { name: 'already listed, same case: unchanged', text: `${A} old\n`, hash: A, comment: 'new', want: `${A} old\n` },
    { name: 'already listed, other case: unchanged', text: `${U}`, hash: A, comment: 'new', want: U },
    { name: 'BOM file, listed on line 1: unchanged', text: `\uFEFF${A}\n`, hash: A, comment: '', want: `\uFEFF${A}\n` },
    // Hostile rows: lines opentracker does not read do not count as listed.
    { name: 'only listed with leading space: appended', text: ` ${A}\n`, hash: A, comment: '', want: ` ${A}\n${A}\n` },
    { name: 'only listed as a comment: appended', text: `#${A}\n`, hash: A, comment: '', want: `#${A}\n${A}\n` },
    { name: 'only a 41-digit line: appended', text: `${A}0\n`, hash: A, comment: '', want: `${A}0\n${A}\n` },
    { name: 'comment with newlines cannot inject a line', text: '', hash: A, comment: `x\n${B}\r\ny`, want: `${A} x ${B} y\n` },
    { name: 'comment with U+2028 and control chars', text: '', hash: A, comment: 'a\u2028b\u0000c\u007fd', want: `${A} a b c d\n` },
  ];
  for (const row of rows) {
    test(row.name, () => {
      assert.equal(addToAccessList(row.text, row.hash, row.comment), row.want);
    });
  }

  test('the result parses with the new hash and everything else intact', () => {
    const before = `# header\r\n${B} keep me\r\n not-an-entry\r\n`;
    const after = addToAccessList(before, A, 'new');
    assert.ok(after.startsWith(before));
    const parsed = parseAccessList(after);
    assert.equal(parsed.hashes.size, 2);
    assert.deepEqual(parsed.ignored, [{ line: 3, text: 'not-an-entry' }]);
  });

  for (const bad of ['', A.slice(1), `${A}0`, `${A.slice(0, 39)}g`, ` ${A.slice(1)}`, `${A}\n`]) {
    test(`rejects hash ${JSON.stringify(bad)}`, () => {
      assert.throws(() => addToAccessList('', bad, ''), /not a 40-digit hex info_hash/);
      assert.throws(() => removeFromAccessList('', bad), /not a 40-digit hex info_hash/);
    });
  }
});

describe('removeFromAccessList', () => {
  const rows: Array<{ name: string; text: string; hash: string; want: string }> = [
    { name: 'not listed: unchanged', text: `# x\n${B}\n`, hash: A, want: `# x\n${B}\n` },
    { name: 'removes the line with its comment', text: `# x\n${A} app\n${B}\n`, hash: A, want: `# x\n${B}\n` },
    { name: 'case-insensitive', text: `${U} app\n${B}\n`, hash: A, want: `${B}\n` },
    { name: 'removes every duplicate', text: `${A}\n${B}\n${U}\n`, hash: A, want: `${B}\n` },
    { name: 'last line without newline', text: `${B}\n${A}`, hash: A, want: `${B}\n` },
    { name: 'CRLF preserved', text: `${B}\r\n${A}\r\n# end\r\n`, hash: A, want: `${B}\r\n# end\r\n` },
    { name: 'BOM kept when line 1 goes', text: `\uFEFF${A}\n${B}\n`, hash: A, want: `\uFEFF${B}\n` },
    // Hostile rows: only real entries go.
    { name: 'keeps comment mentioning the hash', text: `# ${A}\n#${A}\n`, hash: A, want: `# ${A}\n#${A}\n` },
    { name: 'keeps indented line', text: ` ${A}\n`, hash: A, want: ` ${A}\n` },
    { name: 'keeps 41-digit line', text: `${A}0\n`, hash: A, want: `${A}0\n` },
    { name: 'keeps hash appearing later in a line', text: `${B} replaces ${A}\n`, hash: A, want: `${B} replaces ${A}\n` },
  ];
  for (const row of rows) {
    test(row.name, () => {
      assert.equal(removeFromAccessList(row.text, row.hash), row.want);
    });
  }
});

describe('accessListHas / sanitizeComment', () => {
  test('accessListHas follows the parser', () => {
    assert.equal(accessListHas(`${U} x`, A), true);
    assert.equal(accessListHas(` ${A}`, A), false);
  });
  test('sanitizeComment limits length', () => {
    assert.equal(sanitizeComment('x'.repeat(500)).length, 200);
  });
});
