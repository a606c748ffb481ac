import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import createTorrent, { type CreateTorrentOptions } from 'create-torrent';
import parseTorrent, { toMagnetURI } from 'parse-torrent';
import { createLogger } from '../../libs/common/src/log.js';
import type { Manifest, ManifestRelease } from '../../libs/common/src/manifest.js';
import { parseStatsConfig, type StatsConfig } from '../../apps/stats/src/config.js';
import { startStats, type StatsDeps, type StatsHandle } from '../../apps/stats/src/stats-app.js';
import { loopbackStatsArgs } from './stats-args.js';

const createTorrentAsync = promisify(createTorrent) as (input: string | Buffer, opts: CreateTorrentOptions) => Promise<Uint8Array>;

/** A real file name that runs script if a page forgets to escape it. */
export const HTML_NAME = '<img src=x onerror=alert(1)>.bin';
/** Cannot be a file name (it holds a '/'), so the removed release carries it as its display name. */
export const SCRIPT_NAME = '<script>alert(1)</script>.bin';

export interface FixtureRelease {
  readonly name: string;
  readonly infoHash: string;
  readonly torrent: string;
  readonly content: Buffer;
}

export interface Fixture {
  readonly dir: string;
  readonly releasesDir: string;
  readonly torrentsDir: string;
  readonly manifestPath: string;
  readonly whitelistPath: string;
  readonly dbPath: string;
  readonly releases: readonly FixtureRelease[];
  cleanup(): void;
}

/** Deterministic bytes, so a Range check can compare exact slices. */
export function content(seed: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return b;
}

/**
 * A data folder as the publisher would leave it: releases/, torrents/, manifest.json (one release of
 * which is removed), a whitelist, plus a hand-made .torrent the manifest does not list.
 */
/** A torrent of `input` (a file's bytes, or a folder) as every fixture makes them: 16 KiB pieces, fixed creator and date. */
export function fixtureTorrent(input: string | Buffer, name: string, announceUrl: string): Promise<Uint8Array> {
  return createTorrentAsync(input, {
    name,
    announceList: [[announceUrl]],
    pieceLength: 16384,
    createdBy: 'stats-test',
    creationDate: new Date('2024-05-03T00:00:00Z'),
  } as CreateTorrentOptions);
}

export async function makeFixture(announceUrl: string): Promise<Fixture> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stats-it-'));
  // opentracker started as root drops to nobody and must still read the whitelist.
  fs.chmodSync(dir, 0o755);
  try {
    return await fillFixture(dir, announceUrl);
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

async function fillFixture(dir: string, announceUrl: string): Promise<Fixture> {
  const releasesDir = path.join(dir, 'releases');
  const torrentsDir = path.join(dir, 'data', 'torrents');
  fs.mkdirSync(releasesDir, { recursive: true });
  fs.mkdirSync(torrentsDir, { recursive: true });
  const specs: { name: string; size: number; published: string; removed: string | null; display?: string }[] = [
    { name: 'app-1.0.bin', size: 200_000, published: '2024-05-01T12:00:00.000Z', removed: null },
    { name: HTML_NAME, size: 3_000, published: '2024-05-02T12:00:00.000Z', removed: null },
    { name: 'app-0.9.bin', size: 1_000, published: '2024-04-01T12:00:00.000Z', removed: '2024-05-01T12:00:00.000Z', display: SCRIPT_NAME },
    { name: 'handmade.bin', size: 500, published: '', removed: null },
  ];
  const releases: FixtureRelease[] = [];
  const manifest: ManifestRelease[] = [];
  for (const [i, s] of specs.entries()) {
    const data = content(i, s.size);
    const torrentName = `${s.name.replace(/[^A-Za-z0-9._-]/g, '_')}.torrent`;
    // create-torrent tags the buffer it is given with name properties: give it a copy.
    const buf = await fixtureTorrent(Buffer.from(data), s.name, announceUrl);
    const parsed = await parseTorrent(buf);
    fs.writeFileSync(path.join(torrentsDir, torrentName), buf);
    if (s.removed === null) fs.writeFileSync(path.join(releasesDir, s.name), data);
    releases.push({ name: s.name, infoHash: parsed.infoHash, torrent: torrentName, content: data });
    if (s.published !== '') {
      manifest.push({
        name: s.display ?? s.name,
        path: s.name,
        size: s.size,
        infoHash: parsed.infoHash,
        magnet: toMagnetURI(parsed),
        pieceLength: 16384,
        publishedAt: s.published,
        sha256: 'x',
        torrent: torrentName,
        removedAt: s.removed,
      });
    }
  }
  const manifestPath = path.join(dir, 'data', 'manifest.json');
  fs.writeFileSync(manifestPath, JSON.stringify({ version: 1, releases: manifest } satisfies Manifest));
  const whitelistPath = path.join(dir, 'whitelist');
  fs.writeFileSync(whitelistPath, releases.map((r) => r.infoHash).join('\n') + '\n', { mode: 0o644 });
  fs.chmodSync(whitelistPath, 0o644);
  return {
    dir,
    releasesDir,
    torrentsDir,
    manifestPath,
    whitelistPath,
    dbPath: path.join(dir, 'data', 'stats.sqlite'),
    releases,
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export function statsConfig(f: Fixture, statsUrl: string, extra: string[] = []): StatsConfig {
  const r = parseStatsConfig(
    [
      ...loopbackStatsArgs({
        port: 0,
        pollSeconds: 3600,
        trackerStatsUrl: statsUrl,
        manifest: f.manifestPath,
        torrents: f.torrentsDir,
        releases: f.releasesDir,
        db: f.dbPath,
      }),
      '--base-url',
      'http://stats.example',
      ...extra,
    ],
    { env: {}, cwd: f.dir },
  );
  if (r.kind !== 'config') throw new Error('unexpected help');
  return r.config;
}

export async function startStatsFor(f: Fixture, statsUrl: string, extra: string[] = [], deps?: StatsDeps): Promise<StatsHandle> {
  return startStats(
    statsConfig(f, statsUrl, extra),
    createLogger('stats', (process.env['TEST_LOG_LEVEL'] as 'info' | undefined) ?? 'silent'),
    deps,
  );
}

export interface ApiRelease {
  infoHash: string;
  name: string;
  downloads: number;
  downloadsBitTorrent?: number;
  downloadsDirect?: number;
  seeders: number;
  leechers: number;
  removedAt: string | null;
  torrentUrl: string | null;
  fileUrl: string | null;
  magnet: string;
  known: boolean;
  history?: { date: string; downloads: number }[];
}

export async function apiReleases(statsPort: number): Promise<ApiRelease[]> {
  const res = await fetch(`http://127.0.0.1:${statsPort}/api/releases`);
  if (res.status !== 200) throw new Error(`api status ${res.status}`);
  return (await res.json()) as ApiRelease[];
}

/** The downloads cell of a release's row on the public page, as shown (e.g. "1,234"). */
export function rowCount(page: string, infoHash: string): string | null {
  const row = new RegExp(`<tr[^>]*data-infohash="${infoHash}"[\\s\\S]*?</tr>`).exec(page);
  return row ? (/class="num downloads">([^<]*)</.exec(row[0])?.[1] ?? null) : null;
}

/** What the page reads its counts from in a test (a fake /stats, a fake feed): a URL and a close. */
export interface FeedServer {
  readonly url: string;
  close(): Promise<void>;
}

/** The page app on a fixture, reading a feed; close() stops both and removes the fixture. */
export interface StatsRig {
  readonly stats: StatsHandle;
  /** http://127.0.0.1:<port> of the page. */
  readonly base: string;
  close(): Promise<void>;
}

/** startStatsFor on `f` reading `feed`, with one close() for the whole set-up (for a finally or an after hook). */
export async function startStatsRig(f: Fixture, feed: FeedServer, extra: string[] = [], deps?: StatsDeps): Promise<StatsRig> {
  const stats = await startStatsFor(f, feed.url, extra, deps);
  return {
    stats,
    base: `http://127.0.0.1:${stats.port}`,
    async close() {
      await stats.close();
      await feed.close();
      f.cleanup();
    },
  };
}
