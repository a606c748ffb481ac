import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenizeConfigFile } from './config-file.js';

const rows: Array<{ name: string; text: string; want: Array<[line: number, keyword: string, value: string | null]> }> = [
  { name: 'empty', text: '', want: [] },
  { name: 'keyword and value', text: 'tracker.user nobody', want: [[1, 'tracker.user', 'nobody']] },
  { name: 'value keeps inner spaces', text: 'access.whitelist /a b/c  d', want: [[1, 'access.whitelist', '/a b/c  d']] },
  { name: 'tabs and surrounding whitespace', text: '\t tracker.user\t\tnobody \t', want: [[1, 'tracker.user', 'nobody']] },
  { name: 'keyword alone', text: 'access.open', want: [[1, 'access.open', null]] },
  { name: 'keyword with trailing blanks only', text: 'access.open   ', want: [[1, 'access.open', null]] },
  { name: 'comments and blank lines keep numbering', text: '# x\n\n  # y\n\t\nlisten.tcp 1.2.3.4', want: [[5, 'listen.tcp', '1.2.3.4']] },
  {
    name: 'CRLF',
    text: 'a 1\r\nb 2\r\n',
    want: [
      [1, 'a', '1'],
      [2, 'b', '2'],
    ],
  },
  { name: 'BOM', text: '\uFEFFa 1', want: [[1, 'a', '1']] },
  { name: 'no trailing comments (opentracker has none)', text: 'a 1 # c', want: [[1, 'a', '1 # c']] },
  { name: 'hash inside a keyword is not a comment', text: 'a#b 1', want: [[1, 'a#b', '1']] },
];
for (const row of rows) {
  test(row.name, () => {
    assert.deepEqual(
      tokenizeConfigFile(row.text).map((l) => [l.line, l.keyword, l.value]),
      row.want,
    );
  });
}
