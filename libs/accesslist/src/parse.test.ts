import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAccessList } from './parse.js';

const A = '0123456789abcdef0123456789abcdef01234567';
const B = 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const C = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const key = (hex: string) => Buffer.from(hex, 'hex').toString('latin1');

interface Row {
  name: string;
  text: string;
  hashes: string[];
  ignored?: Array<{ line: number; text: string }>;
}

const rows: Row[] = [
  { name: 'empty file', text: '', hashes: [] },
  { name: 'one hash, no newline at end', text: A, hashes: [A] },
  { name: 'one hash, LF', text: `${A}\n`, hashes: [A] },
  { name: 'CRLF lines', text: `${A}\r\n${B}\r\n`, hashes: [A, B] },
  { name: 'CRLF, last line without newline', text: `${A}\r\n${B}`, hashes: [A, B] },
  {
    name: 'upper and mixed case',
    text: `${B}\n${A.toUpperCase()}\nAbCdEf0123456789aBcDeF0123456789AbCdEf01\n`,
    hashes: [B, A, 'abcdef0123456789abcdef0123456789abcdef01'],
  },
  { name: 'trailing comment after a space', text: `${B} uppercase, trailing text\n`, hashes: [B] },
  { name: 'trailing text glued with a non-hex char', text: `${A}g-release.iso\n${C}:x\n`, hashes: [A, C] },
  { name: 'tab after the hash', text: `${A}\tcomment\n`, hashes: [A] },
  { name: '# comments and blank lines are silent', text: `# header\n\n   \n\t\n#${A}\n  # indented comment\n${A}\n`, hashes: [A] },
  { name: 'UTF-8 BOM at start is skipped', text: `\uFEFF${A}\n`, hashes: [A] },
  { name: 'BOM before a comment', text: `\uFEFF# list\n${A}\n`, hashes: [A] },
  { name: 'duplicates collapse, any case', text: `${A}\n${A.toUpperCase()}\n${A} again\n`, hashes: [A] },
  // The whitelist file Debian opentracker 0.0~git20210823.110868e was run with when the golden vectors were captured.
  {
    name: 'golden whitelist',
    text: `# test whitelist\n${A}\n${B} uppercase, trailing text\n ${C}\n`,
    hashes: [A, B],
    ignored: [{ line: 4, text: C }],
  },
  // Hostile rows.
  { name: 'leading space is invalid (opentracker compat)', text: ` ${A}\n`, hashes: [], ignored: [{ line: 1, text: A }] },
  { name: 'leading tab is invalid', text: `\t${A}\n`, hashes: [], ignored: [{ line: 1, text: A }] },
  { name: '41 hex digits', text: `${A}0\n`, hashes: [], ignored: [{ line: 1, text: `${A}0` }] },
  { name: '39 hex digits', text: `${A.slice(1)}\n`, hashes: [], ignored: [{ line: 1, text: A.slice(1) }] },
  { name: '39 hex digits at end of file', text: A.slice(1), hashes: [], ignored: [{ line: 1, text: A.slice(1) }] },
  {
    name: 'non-hex char inside',
    text: `${A.slice(0, 20)}x${A.slice(21)}\n`,
    hashes: [],
    ignored: [{ line: 1, text: `${A.slice(0, 20)}x${A.slice(21)}` }],
  },
  { name: '0x prefix', text: `0x${A}\n`, hashes: [], ignored: [{ line: 1, text: `0x${A}` }] },
  {
    name: 'base32 hash',
    text: 'MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZ\n',
    hashes: [],
    ignored: [{ line: 1, text: 'MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZ' }],
  },
  { name: 'magnet link', text: `magnet:?xt=urn:btih:${A}\n`, hashes: [], ignored: [{ line: 1, text: `magnet:?xt=urn:btih:${A}` }] },
  { name: 'full-width digits are not hex', text: `${'０'.repeat(40)}\n`, hashes: [], ignored: [{ line: 1, text: '０'.repeat(40) }] },
  { name: 'NUL bytes', text: `\u0000${A}\n${A}\u0000\n`, hashes: [A], ignored: [{ line: 1, text: `\u0000${A}` }] },
  { name: 'lone CR is not a line break', text: `${A}\r${B}\n`, hashes: [A] },
  {
    name: 'BOM in the middle is not skipped (trim() drops it from the report)',
    text: `${A}\n\uFEFF${B}\n`,
    hashes: [A],
    ignored: [{ line: 2, text: B }],
  },
  { name: 'ignored text is cut to 80 chars', text: `${'z'.repeat(200)}\n`, hashes: [], ignored: [{ line: 1, text: 'z'.repeat(80) }] },
  {
    name: 'line numbers count comments and blanks',
    text: `#\n\n${A}\nbad\n\n#\nworse\r\n`,
    hashes: [A],
    ignored: [
      { line: 4, text: 'bad' },
      { line: 7, text: 'worse' },
    ],
  },
];

describe('parseAccessList', () => {
  for (const row of rows) {
    test(row.name, () => {
      const result = parseAccessList(row.text);
      assert.deepEqual([...result.hashes].sort(), row.hashes.map((h) => key(h.toLowerCase())).sort());
      assert.deepEqual(result.ignored, row.ignored ?? []);
    });
  }

  test('keys are the 20 raw bytes as latin1', () => {
    const [k] = parseAccessList('ff00'.repeat(10)).hashes;
    assert.equal(k?.length, 20);
    assert.equal(k, '\u00ff\u0000'.repeat(10));
  });

  test('a large list parses completely', () => {
    const n = 100_000;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(i.toString(16).padStart(40, '0'));
    const result = parseAccessList(lines.join('\n'));
    assert.equal(result.hashes.size, n);
    assert.equal(result.ignored.length, 0);
  });
});
