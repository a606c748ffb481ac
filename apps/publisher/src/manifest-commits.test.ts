import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { BuiltTorrent } from '../../../libs/torrent/src/index.js';
import type { PublisherConfig } from './config.js';
import type { ScannedRelease } from './hash-release.js';
import { ManifestCommits } from './manifest-commits.js';
import { loadManifest } from './manifest-store.js';
import { WhitelistFile } from './whitelist-file.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const now = (): Date => new Date('2026-03-01T00:00:00Z');
const log = pino({ level: 'silent' }, new Writable({ write: (_c, _e, cb) => cb() }));

function built(infoHash: string): BuiltTorrent {
  return {
    torrent: Buffer.from(`d4:infod4:name1:xee${infoHash}`),
    infoHash,
    magnet: `magnet:?xt=urn:btih:${infoHash}`,
    pieceLength: 32768,
    length: 10,
    sha256: null,
  };
}

function scanned(fingerprint: string): ScannedRelease {
  return {
    kind: 'release',
    single: true,
    files: [],
    size: 10,
    maxMtimeMs: 0,
    fingerprint,
    stamp: fingerprint,
    changedAtMs: 0,
    skipped: [],
  } as unknown as ScannedRelease;
}

async function sandbox(dryRun = false) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'commits-'));
  await mkdir(path.join(dir, 'torrents'));
  const config = {
    torrentsDir: path.join(dir, 'torrents'),
    manifestPath: path.join(dir, 'manifest.json'),
    whitelistPath: path.join(dir, 'whitelist'),
    dryRun,
    onDelete: 'remove',
  } as unknown as PublisherConfig;
  /** What the page would list now: the live hashes of the manifest on disk. */
  const listedOnDisk = async (): Promise<string[]> =>
    (await loadManifest(config.manifestPath, now())).manifest.releases.filter((r) => r.removedAt === null).map((r) => r.infoHash);
  const whitelistText = (): Promise<string> => readFile(config.whitelistPath, 'utf8').catch(() => '');
  /** One publisher run: the manifest read from disk, a fresh whitelist queue, and the given live(). */
  const run = async (live: (wl: WhitelistFile, hashes: readonly string[]) => Promise<void>) => {
    const wl = new WhitelistFile(config.whitelistPath);
    const { manifest } = await loadManifest(config.manifestPath, now());
    return { wl, commits: new ManifestCommits(manifest, config, wl, log, now, (h) => live(wl, h)) };
  };
  return { dir, config, listedOnDisk, whitelistText, run, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

class Crash extends Error {}

test('publish: torrent, then whitelist and reload, then the manifest (the page never lists a hash the tracker refuses)', async () => {
  const sb = await sandbox();
  try {
    const seen: string[] = [];
    const { commits } = await sb.run(async (wl, hashes) => {
      assert.deepEqual(hashes, [A]);
      assert.equal((await readdir(sb.config.torrentsDir)).length, 1, 'torrent written first');
      await wl.flush(false);
      assert.match(await sb.whitelistText(), new RegExp(`^${A}`, 'm'));
      assert.deepEqual(await sb.listedOnDisk(), [], 'not listed while the tracker reloads');
      seen.push('reloaded');
    });
    await commits.publish('x.bin', scanned('f1'), built(A), 5);
    assert.deepEqual(seen, ['reloaded']);
    assert.deepEqual(await sb.listedOnDisk(), [A]);
  } finally {
    await sb.cleanup();
  }
});

for (const point of ['after torrent', 'after whitelist', 'after reload'] as const) {
  test(`kill -9 ${point}: nothing listed; the next run repeats the steps, reload included, then lists it`, async () => {
    const sb = await sandbox();
    try {
      const first = await sb.run(async (wl) => {
        if (point === 'after torrent') throw new Crash(point); // the queued whitelist edit dies with the process
        await wl.flush(false);
        throw new Crash(point); // 'after reload': the tracker reloaded, the manifest was never written
      });
      await assert.rejects(first.commits.publish('x.bin', scanned('f1'), built(A), 5), Crash);
      assert.deepEqual(await sb.listedOnDisk(), [], 'the page lists nothing');
      assert.equal((await readdir(sb.config.torrentsDir)).length, 1, 'the torrent is complete (atomic write)');
      assert.equal((await sb.whitelistText()).includes(A), point !== 'after torrent');

      // next run: no manifest entry, so the release is hashed and published again
      let reloadsSeeingTheHash = 0;
      const second = await sb.run(async (wl) => {
        await wl.flush(false);
        if ((await sb.whitelistText()).includes(A) && !(await sb.listedOnDisk()).includes(A)) reloadsSeeingTheHash++;
      });
      await second.commits.publish('x.bin', scanned('f1'), built(A), 5);
      assert.equal(reloadsSeeingTheHash, 1, 'a reload after the hash is on the list, before the manifest lists it');
      assert.deepEqual(await sb.listedOnDisk(), [A]);
      assert.equal((await sb.whitelistText()).split(A).length - 1, 1, 'the hash is on the list once');
    } finally {
      await sb.cleanup();
    }
  });
}

test('a new version: the old hash stays whitelisted until the new one is live and listed, then leaves', async () => {
  const sb = await sandbox();
  try {
    const first = await sb.run(async (w) => {
      await w.flush(false);
    });
    await first.commits.publish('x.bin', scanned('v1'), built(A), 5);
    const next = await sb.run(async (w, hashes) => {
      assert.deepEqual(hashes, [B]);
      assert.equal(w.isPending(A), false, 'the old hash is not queued for removal before the new one is live');
      await w.flush(false);
      assert.match(await sb.whitelistText(), new RegExp(`^${A}`, 'm'));
      assert.deepEqual(await sb.listedOnDisk(), [A], 'the old version stays listed meanwhile');
    });
    await next.commits.publish('x.bin', scanned('v2'), built(B), 5);
    assert.deepEqual(await sb.listedOnDisk(), [B]);
    assert.equal(next.wl.isPending(A), true, 'removal of the old hash queued after the manifest moved on');
  } finally {
    await sb.cleanup();
  }
});

test('releases published together wait for their reload side by side (one reload can serve the batch)', async () => {
  const sb = await sandbox();
  try {
    const waiting: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { commits } = await sb.run(async (wl, hashes) => {
      waiting.push(...hashes);
      await gate;
      await wl.flush(false);
    });
    const p1 = commits.publish('one.bin', scanned('f1'), built(A), 5);
    const p2 = commits.publish('two.bin', scanned('f2'), built(B), 5);
    for (let i = 0; i < 100 && waiting.length < 2; i++) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(waiting.sort(), [A, B], "the second did not wait for the first one's reload");
    release();
    await Promise.all([p1, p2]);
    assert.deepEqual((await sb.listedOnDisk()).sort(), [A, B]);
  } finally {
    await sb.cleanup();
  }
});

test('--dry-run: nothing written, no reload awaited', async () => {
  const sb = await sandbox(true);
  try {
    let lives = 0;
    const { wl, commits } = await sb.run(async () => {
      lives++;
    });
    await commits.publish('x.bin', scanned('f1'), built(A), 5);
    assert.equal(lives, 0);
    assert.equal(wl.isPending(A), true, 'queued for the dry-run log');
    assert.deepEqual(await readdir(sb.config.torrentsDir), []);
    assert.equal(existsSync(sb.config.manifestPath), false);
  } finally {
    await sb.cleanup();
  }
});
