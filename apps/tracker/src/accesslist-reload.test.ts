import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AccessMode } from '../../../libs/accesslist/src/access-policy.js';
import { memoryLogger } from '../../../test/helpers/memory-log.js';
import { createAccessListReloader } from './accesslist-reload.js';

const dir = mkdtempSync(path.join(tmpdir(), 'accesslist-reload-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const hex = (i: number) => i.toString(16).padStart(40, '0');
const list = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => hex(from + i)).join('\n') + '\n';

function setup(name: string, mode: AccessMode = 'whitelist') {
  const file = path.join(dir, name);
  const { log, lines: records } = memoryLogger('debug');
  let current: ReadonlySet<string> = new Set();
  const applied: number[] = [];
  const reloader = createAccessListReloader({
    path: file,
    mode,
    log,
    current: () => current,
    apply: (h) => {
      current = h;
      applied.push(h.size);
    },
  });
  const msgs = () => records.map((r) => String(r['msg']));
  return { file, reloader, applied, records, msgs };
}

describe('access list reload', () => {
  test('reloads are serialized: five requests during one read give one more run, which reads the newest file', async () => {
    const s = setup('serial');
    writeFileSync(s.file, list(0, 3));
    const first = s.reloader.reload();
    writeFileSync(s.file, list(0, 4));
    const rest = [s.reloader.reload(), s.reloader.reload(), s.reloader.reload(), s.reloader.reload()];
    writeFileSync(s.file, list(0, 5));
    await Promise.all([first, ...rest]);
    assert.equal(s.applied.length, 2, 'one run in flight, then one run for all the requests made meanwhile');
    assert.equal(s.applied[1], 5, 'the last run read the newest file');
    assert.equal(s.records.filter((r) => typeof r['loaded'] === 'number').length, 2);
  });

  test('a whitelist that lost most of its hashes is refused with an error, applied when the same file is reloaded again', async () => {
    const s = setup('shrink');
    writeFileSync(s.file, list(0, 100));
    await s.reloader.reload();
    writeFileSync(s.file, ''); // an emptied file
    await s.reloader.reload();
    assert.deepEqual(s.applied, [100]);
    const refused = s.records.find((r) => r['level'] === 50);
    assert.match(String(refused?.['msg']), /NOT applied: it lost 100 of 100 hashes.*reload again/);
    // A different file (the operator fixed something) is judged afresh.
    writeFileSync(s.file, list(0, 10));
    await s.reloader.reload();
    assert.deepEqual(s.applied, [100]);
    // Confirmation: the same file again.
    await s.reloader.reload();
    assert.deepEqual(s.applied, [100, 10]);
    assert.ok(s.msgs().includes('access list applied on the second identical reload (confirmed)'));
    // Shrinking by a few, or by half, is an ordinary edit.
    writeFileSync(s.file, list(0, 5));
    await s.reloader.reload();
    assert.deepEqual(s.applied, [100, 10, 5]);
  });

  test('blacklist mode: a shrinking list only lets more in, so it is applied', async () => {
    const s = setup('black', 'blacklist');
    writeFileSync(s.file, list(0, 100));
    await s.reloader.reload();
    writeFileSync(s.file, '');
    await s.reloader.reload();
    assert.deepEqual(s.applied, [100, 0]);
  });

  test('unreadable: the old list stays, and the log says whether there is one', async () => {
    const s = setup('missing');
    await s.reloader.reload();
    assert.ok(s.msgs().some((m) => m.includes('there is no previous list')));
    writeFileSync(s.file, list(0, 2));
    await s.reloader.reload();
    rmSync(s.file);
    await s.reloader.reload();
    assert.ok(s.msgs().includes('access list not reloaded; the previous list stays in force'));
    assert.deepEqual(s.applied, [2]);
  });
});
