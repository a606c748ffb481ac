import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { csvCell, toCsv } from './csv.js';

describe('csvCell', () => {
  const rows: [string | number | null, string][] = [
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rhere', '"cr\rhere"'],
    ['=HYPERLINK("http://evil","x")', '"\'=HYPERLINK(""http://evil"",""x"")"'],
    ['+1', "'+1"],
    ['-rc1.bin', "'-rc1.bin"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['a=1', 'a=1'],
    [42, '42'],
    [-3, '-3'],
    [null, ''],
    ['', ''],
  ];
  for (const [input, want] of rows) {
    test(JSON.stringify(input), () => assert.equal(csvCell(input), want));
  }
});

test('toCsv joins rows with CRLF and ends with one', () => {
  assert.equal(
    toCsv(
      ['a', 'b'],
      [
        [1, 'x,y'],
        [null, '=1'],
      ],
    ),
    'a,b\r\n1,"x,y"\r\n,\'=1\r\n',
  );
});
