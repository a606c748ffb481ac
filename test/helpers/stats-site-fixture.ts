import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import parseTorrent, { toMagnetURI } from 'parse-torrent';
import type { Manifest, ManifestRelease } from '../../libs/common/src/manifest.js';
import { content, fixtureTorrent, makeFixture, type Fixture } from './stats-fixture.js';

export const MULTI_NAME = 'suite-2.0 (linux)';
export const MULTI_FILES = [['README.txt'], ['bin', 'tool'], ['docs', 'guide & notes.txt']] as const;

export interface SiteFixture extends Fixture {
  readonly multiHash: string;
  readonly multiTorrent: string;
  /** sha256 of the single-file releases the manifest now records, by file name. */
  readonly sums: ReadonlyMap<string, string>;
}

/**
 * The stats fixture as the publisher leaves it with real checksums: the live single-file releases get
 * their true sha256, and a multi-file release (a folder with a subfolder) is added, published today.
 */
export async function makeSiteFixture(announceUrl: string, publishedToday: string): Promise<SiteFixture> {
  const f = await makeFixture(announceUrl);
  try {
    const manifest = JSON.parse(fs.readFileSync(f.manifestPath, 'utf8')) as { version: 1; releases: ManifestRelease[] };
    const sums = new Map<string, string>();
    const releases = manifest.releases.map((r) => {
      const file = path.join(f.releasesDir, r.path);
      if (r.removedAt !== null || !fs.existsSync(file)) return r;
      const sha = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
      sums.set(r.path, sha);
      return { ...r, sha256: sha };
    });
    const dir = path.join(f.releasesDir, MULTI_NAME);
    MULTI_FILES.forEach((segs, i) => {
      fs.mkdirSync(path.join(dir, ...segs.slice(0, -1)), { recursive: true });
      fs.writeFileSync(path.join(dir, ...segs), content(10 + i, 1000 + i * 5000));
    });
    const buf = await fixtureTorrent(dir, MULTI_NAME, announceUrl);
    const parsed = await parseTorrent(buf);
    const torrent = 'suite-2.0_linux_.torrent';
    fs.writeFileSync(path.join(f.torrentsDir, torrent), buf);
    releases.push({
      name: MULTI_NAME,
      path: MULTI_NAME,
      size: parsed.length ?? 0,
      infoHash: parsed.infoHash,
      magnet: toMagnetURI(parsed),
      pieceLength: 16384,
      publishedAt: publishedToday,
      sha256: null,
      torrent,
      removedAt: null,
    });
    fs.writeFileSync(f.manifestPath, JSON.stringify({ version: 1, releases } satisfies Manifest));
    fs.appendFileSync(f.whitelistPath, `${parsed.infoHash}\n`);
    return { ...f, multiHash: parsed.infoHash, multiTorrent: torrent, sums };
  } catch (e) {
    f.cleanup();
    throw e;
  }
}
