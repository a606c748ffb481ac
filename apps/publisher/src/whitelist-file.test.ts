import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { WhitelistFile } from './whitelist-file.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

test('WhitelistFile: batches edits, keeps other lines and the mode, reports what changed', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wl-test-'));
  try {
    const file = path.join(dir, 'whitelist');
    await writeFile(file, `# ops team list\n${B}  # someone else's torrent\n`);
    await chmod(file, 0o640);
    const wl = new WhitelistFile(file);
    wl.add(A, 'app <1.0>.iso');
    wl.add(B, 'dup');
    assert.deepEqual(await wl.flush(false), { added: [A], removed: [] });
    assert.equal(await readFile(file, 'utf8'), `# ops team list\n${B}  # someone else's torrent\n${A} # app <1.0>.iso\n`);
    assert.equal((await stat(file)).mode & 0o777, 0o640);
    assert.deepEqual(await wl.flush(false), { added: [], removed: [] }, 'nothing pending');
    wl.remove(A);
    wl.remove('c'.repeat(40));
    assert.deepEqual(await wl.flush(false), { added: [], removed: [A] });
    assert.equal(await readFile(file, 'utf8'), `# ops team list\n${B}  # someone else's torrent\n`);
    wl.add(A, 'x');
    assert.deepEqual(await wl.flush(true), { added: [A], removed: [] }, 'dry run reports');
    assert.equal(await readFile(file, 'utf8'), `# ops team list\n${B}  # someone else's torrent\n`, 'dry run writes nothing');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('WhitelistFile: a failed write keeps the queue for the next flush', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wl-test-'));
  try {
    // A path under a regular file cannot be written, even by root.
    await writeFile(path.join(dir, 'not-a-dir'), '');
    const wl = new WhitelistFile(path.join(dir, 'not-a-dir', 'whitelist'));
    wl.add(A, 'x');
    await assert.rejects(wl.flush(false), { code: 'ENOTDIR' });
    assert.equal(wl.hasPending(), true);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
