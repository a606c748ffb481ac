import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdir, open, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { appendFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startPublisher } from '../../apps/publisher/src/publisher.js';
import { configFor, readManifest, readWhitelist, sandbox, stopChild } from '../helpers/publisher-sandbox.js';
import { REPO_ROOT } from '../helpers/repo-paths.js';
import { waitFor } from '../helpers/wait.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A real publisher process (default quiet period) and writers that stall mid-copy, as a slow upload or a copy over a
 * flaky network does: a single file and a folder release whose second file arrives after the pause. Each must be
 * published once, complete; never the half-written version (which would stay in the manifest as "removed").
 */
test('a copy that pauses for 3 s is published once, complete, after the quiet period', { timeout: 90_000 }, async () => {
  const sb = await sandbox();
  const child = spawn(
    process.execPath,
    [
      path.join(REPO_ROOT, 'dist/apps/publisher/src/main.js'),
      '--releases',
      sb.releases,
      '--whitelist',
      sb.whitelist,
      '--pid-file',
      path.join(sb.data, 'none.pid'),
    ],
    {
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', DATA_DIR: sb.data, PUBLIC_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines: Array<Record<string, unknown>> = [];
  createInterface({ input: child.stdout }).on('line', (l) => {
    try {
      lines.push(JSON.parse(l) as Record<string, unknown>);
    } catch {
      /* not JSON */
    }
  });
  try {
    const started = await waitFor('publisher started', () => lines.find((l) => l['msg'] === 'publisher started'));
    assert.ok(Number(started['quietMs']) >= 10_000, 'the default quiet period is well above one second');

    const file = path.join(sb.releases, 'upload.iso');
    const fileHash = createHash('sha256');
    const folder = path.join(sb.releases, 'Bundle 2.0');
    const part1 = randomBytes(512 * 1024);
    const part2 = randomBytes(512 * 1024);
    fileHash.update(part1).update(part2);
    // The writers hold the file open like cp does; the pause is longer than the old 1 s stability window.
    const fh = await open(file, 'w');
    await fh.write(part1);
    await mkdir(folder);
    await writeFile(path.join(folder, 'a.bin'), randomBytes(100_000));
    await sleep(3000);
    assert.equal(lines.filter((l) => l['msg'] === 'hashing').length, 0, 'nothing hashed during the pause');
    await fh.write(part2);
    await fh.close();
    await writeFile(path.join(folder, 'b.bin'), randomBytes(100_000));
    await appendFile(path.join(folder, 'a.bin'), 'tail');

    const published = await waitFor(
      'both published',
      () => {
        const p = lines.filter((l) => l['msg'] === 'published');
        return p.length >= 2 ? p : null;
      },
      60_000,
    );
    await sleep(1500); // nothing else follows
    assert.equal(lines.filter((l) => l['msg'] === 'published').length, 2);
    const m = await readManifest(sb);
    assert.equal(m.releases.length, 2, 'no truncated version left in the manifest');
    assert.ok(m.releases.every((r) => r.removedAt === null));
    const iso = m.releases.find((r) => r.path === 'upload.iso');
    assert.equal(iso?.size, part1.length + part2.length);
    assert.equal(iso?.sha256, fileHash.digest('hex'));
    assert.equal(m.releases.find((r) => r.path === 'Bundle 2.0')?.size, 200_004);
    const wl = (await readWhitelist(sb)).split('\n').filter(Boolean);
    assert.deepEqual(wl.map((l) => l.slice(0, 40)).sort(), published.map((l) => String(l['infoHash'])).sort());
  } finally {
    await stopChild(child);
    await sb.cleanup();
  }
});

test('written to while being hashed: the result is discarded, and the final content published once', async () => {
  const sb = await sandbox();
  const file = path.join(sb.releases, 'moving.bin');
  await writeFile(file, randomBytes(300_000));
  const lines: Array<Record<string, unknown>> = [];
  let hashings = 0;
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) {
        if (!l.trim()) continue;
        const rec = JSON.parse(l) as Record<string, unknown>;
        lines.push(rec);
        // The writer resumes right as hashing starts (synchronously, before a byte is read): size and mtime
        // after hashing differ from what was hashed.
        if (rec['msg'] === 'hashing' && hashings++ === 0) appendFileSync(file, randomBytes(1000));
      }
      cb();
    },
  });
  const pub = await startPublisher(configFor(sb), pino({ level: 'debug' }, stream));
  try {
    const rel = await waitFor('published', async () => (await readManifest(sb)).releases[0]);
    await pub.idle();
    assert.equal(rel.size, 301_000);
    assert.equal(hashings, 2, 'hashed again after the quiet period');
    assert.ok(lines.some((l) => String(l['msg']).startsWith('release changed during hashing; result discarded')));
    assert.equal(lines.filter((l) => l['msg'] === 'published').length, 1);
    assert.equal((await readManifest(sb)).releases.length, 1, 'the discarded version never reached the manifest');
  } finally {
    await pub.close();
    await sb.cleanup();
  }
});
