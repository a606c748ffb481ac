import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { memoryLogger } from '../../../test/helpers/memory-log.js';
import { loadAccessListFile } from './accesslist-source.js';

const dir = mkdtempSync(path.join(tmpdir(), 'accesslist-source-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const A = '0123456789abcdef0123456789abcdef01234567';

describe('loadAccessListFile', () => {
  test('loads, logs a summary and the ignored lines', async () => {
    const file = path.join(dir, 'whitelist');
    writeFileSync(file, `# comment\n${A} app.iso\n bad line\n${A}0\n`);
    const { log, lines: records } = memoryLogger('debug');
    const list = await loadAccessListFile(file, log);
    assert.equal(list?.hashes.size, 1);
    assert.deepEqual(
      list?.ignored.map((l) => l.line),
      [3, 4],
    );
    const info = records.find((r) => r['level'] === 30);
    assert.equal(info?.['loaded'], 1);
    assert.equal(info?.['ignored'], 2);
    assert.deepEqual(info?.['ignoredLines'], [3, 4]);
    const warns = records.filter((r) => r['level'] === 40);
    assert.deepEqual(
      warns.map((w) => [w['line'], w['text']]),
      [
        [3, 'bad line'],
        [4, `${A}0`],
      ],
    );
  });

  test('reports at most 20 ignored lines', async () => {
    const file = path.join(dir, 'many-bad');
    writeFileSync(file, 'junk\n'.repeat(500));
    const { log, lines: records } = memoryLogger('debug');
    const list = await loadAccessListFile(file, log);
    assert.equal(list?.ignored.length, 500);
    const info = records.find((r) => r['level'] === 30);
    assert.equal(info?.['ignored'], 500);
    assert.equal((info?.['ignoredLines'] as number[] | undefined)?.length, 20);
    assert.equal(records.filter((r) => r['level'] === 40).length, 20);
  });

  test('empty file: empty list, not null', async () => {
    const file = path.join(dir, 'empty');
    writeFileSync(file, '');
    const { log } = memoryLogger('debug');
    assert.equal((await loadAccessListFile(file, log))?.hashes.size, 0);
  });

  const unreadable: Array<{ name: string; make: () => string; code: string }> = [
    { name: 'missing file', make: () => path.join(dir, 'nope'), code: 'ENOENT' },
    {
      name: 'a directory',
      make: () => {
        const d = path.join(dir, 'a-dir');
        mkdirSync(d);
        return d;
      },
      code: 'EISDIR',
    },
  ];
  // Root reads mode-000 files anyway, so that row only means something for ordinary users.
  if (process.getuid?.() !== 0) {
    unreadable.push({
      name: 'no read permission',
      make: () => {
        const f = path.join(dir, 'secret');
        writeFileSync(f, A);
        chmodSync(f, 0);
        return f;
      },
      code: 'EACCES',
    });
  }
  for (const row of unreadable) {
    test(`${row.name}: null and a warning naming path and code`, async () => {
      const file = row.make();
      const { log, lines: records } = memoryLogger('debug');
      assert.equal(await loadAccessListFile(file, log), null);
      assert.equal(records.length, 1);
      assert.equal(records[0]?.['level'], 40);
      assert.equal(records[0]?.['path'], file);
      assert.equal(records[0]?.['code'], row.code);
      assert.match(String(records[0]?.['msg']), new RegExp(`${row.code}`));
    });
  }
});
