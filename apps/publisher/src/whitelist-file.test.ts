import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isStale } from './file-lock.js';
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

test('WhitelistFile: two editors at once (two publishers, or a script taking the lock) lose nothing', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wl-test-'));
  try {
    const file = path.join(dir, 'whitelist');
    const a = new WhitelistFile(file);
    const b = new WhitelistFile(file);
    const hashes: string[] = [];
    for (let i = 0; i < 40; i++) {
      const ha = (2 * i).toString(16).padStart(40, '0');
      const hb = (2 * i + 1).toString(16).padStart(40, '0');
      hashes.push(ha, hb);
      a.add(ha, 'a');
      b.add(hb, 'b');
      await Promise.all([a.flush(false), b.flush(false)]);
    }
    const lines = (await readFile(file, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(0, 40));
    assert.deepEqual(lines.sort(), hashes.sort());
    assert.deepEqual(await readdir(dir), ['whitelist'], 'no lock or temp file left');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('WhitelistFile: a manual save between our read and our rename is kept, our edit re-applied on top', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wl-test-'));
  try {
    const file = path.join(dir, 'whitelist');
    await writeFile(file, `${B} old\n`);
    let saves = 0;
    const wl = new WhitelistFile(file, {
      afterRead: async () => {
        // An editor (no lock) saves its version, as vim or a CMS does: a new file renamed over the list.
        if (saves++ === 0)
          await writeFile(`${file}.edit`, `# edited by hand\n${B} old\n${'c'.repeat(40)} manual\n`).then(() =>
            rename(`${file}.edit`, file),
          );
      },
    });
    wl.add(A, 'ours');
    assert.deepEqual(await wl.flush(false), { added: [A], removed: [] });
    assert.equal(await readFile(file, 'utf8'), `# edited by hand\n${B} old\n${'c'.repeat(40)} manual\n${A} # ours\n`);
    assert.equal(saves, 2, 'read again after the change');
    assert.deepEqual((await readdir(dir)).sort(), ['whitelist']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('WhitelistFile: a symlinked whitelist stays a symlink; its target gets the edit, the lock sits beside the target', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wl-test-'));
  try {
    await mkdir(path.join(dir, 'etc'));
    const real = path.join(dir, 'etc', 'whitelist.txt');
    await writeFile(real, `${B}\n`);
    await chmod(real, 0o640);
    const link = path.join(dir, 'whitelist');
    await symlink(real, link);
    const wl = new WhitelistFile(link, {
      afterRead: async () => assert.deepEqual((await readdir(path.join(dir, 'etc'))).sort(), ['whitelist.txt', 'whitelist.txt.lock']),
    });
    wl.add(A, 'x');
    await wl.flush(false);
    assert.ok((await lstat(link)).isSymbolicLink(), 'still a symlink');
    assert.equal(await readFile(real, 'utf8'), `${B}\n${A} # x\n`);
    assert.equal((await stat(real)).mode & 0o777, 0o640);
    assert.deepEqual((await readdir(path.join(dir, 'etc'))).sort(), ['whitelist.txt']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("WhitelistFile: a lock held by a live process makes flush fail (queue kept); a dead holder's lock is broken", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wl-test-'));
  try {
    const file = path.join(dir, 'whitelist');
    const sleeper = spawn('sleep', ['30']);
    await writeFile(`${file}.lock`, `${sleeper.pid} ${os.hostname()}\n`);
    const wl = new WhitelistFile(file, { lock: { timeoutMs: 200 } });
    wl.add(A, 'x');
    await assert.rejects(wl.flush(false), (err: NodeJS.ErrnoException) => err.code === 'ELOCKED' && /is held by/.test(err.message));
    assert.equal(wl.hasPending(), true);
    await assert.rejects(readFile(file), { code: 'ENOENT' });
    sleeper.kill('SIGKILL');
    await once(sleeper, 'exit');
    assert.deepEqual(await wl.flush(false), { added: [A], removed: [] });
    assert.deepEqual(await readdir(dir), ['whitelist'], 'stale lock removed, ours released');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('isStale', () => {
  const host = 'h1';
  const rows: Array<[string, number, boolean, boolean]> = [
    ['123 h1\n', 1000, true, false], // live holder here
    ['123 h1\n', 1000, false, true], // dead holder here
    ['123 h2\n', 1000, false, false], // other host: cannot tell, wait
    ['123 h2\n', 11 * 60_000, false, true], // other host, too old
    ['', 1000, true, false], // being written
    ['garbage', 31_000, true, true],
  ];
  for (const [content, age, live, want] of rows)
    assert.equal(
      isStale(content, age, host, 10 * 60_000, () => live),
      want,
      `${JSON.stringify(content)} ${age}`,
    );
});

test('WhitelistFile: a temp file a killed writer left beside the list goes with the next flush; other files stay', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wl-test-'));
  try {
    const file = path.join(dir, 'whitelist');
    await writeFile(file, '');
    const stale = path.join(dir, '.whitelist.0123456789ab.tmp');
    await writeFile(stale, `${B} # the write a kill cut short\n`);
    // another file's temp (the tracker's state beside the list), and names that only look alike
    const others = ['.state.txt.0123456789ab.tmp', '.whitelist.tmp', '.whitelist.0123456789ab.tmp.keep', 'whitelist.0123456789ab.tmp'];
    for (const name of others) await writeFile(path.join(dir, name), 'x');
    const wl = new WhitelistFile(file);
    wl.add(A, 'one');
    assert.deepEqual(await wl.flush(false), { added: [A], removed: [] });
    assert.deepEqual((await readdir(dir)).sort(), [...others, 'whitelist'].sort());
    assert.equal(await readFile(file, 'utf8'), `${A} # one\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
