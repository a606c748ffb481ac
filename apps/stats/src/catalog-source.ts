import fs from 'node:fs/promises';
import path from 'node:path';
import parseTorrent, { toMagnetURI } from 'parse-torrent';
import type { Logger } from '../../../libs/common/src/log.js';
import { isSafeTorrentName, parseManifest, type CatalogRelease } from './manifest-parse.js';

interface TorrentCacheEntry {
  readonly stamp: string;
  readonly release: CatalogRelease | null;
}

/**
 * Reads the publisher's manifest and the torrents folder. The manifest is replaced atomically, but it
 * may be missing (first run) or briefly unreadable: then the last good copy stays and we log once per change.
 * .torrent files the manifest does not name (made by hand) are parsed once per (size, mtime).
 */
export class CatalogSource {
  private manifestStamp = '';
  private manifestReleases: readonly CatalogRelease[] = [];
  private readonly torrents = new Map<string, TorrentCacheEntry>();
  private current: readonly CatalogRelease[] = [];
  private releasesDirReal: string | null = null;

  constructor(
    private readonly manifestPath: string,
    private readonly torrentsDir: string,
    private readonly releasesDir: string,
    private readonly log: Logger,
  ) {}

  releases(): readonly CatalogRelease[] {
    return this.current;
  }

  /** Re-reads what changed. Returns true when the catalog is different. Never throws. */
  async refresh(): Promise<boolean> {
    const before = this.current;
    await this.refreshManifest();
    const handMade = await this.refreshTorrents();
    const known = new Set(this.manifestReleases.map((r) => r.infoHash));
    const extra = handMade.filter((r) => !known.has(r.infoHash));
    const next = [...this.manifestReleases, ...extra];
    const changed = JSON.stringify(next) !== JSON.stringify(before);
    if (changed) this.current = next;
    return changed;
  }

  private async refreshManifest(): Promise<void> {
    let stamp: string;
    try {
      const st = await fs.stat(this.manifestPath);
      stamp = `${st.size}:${st.mtimeMs}:${st.ino}`;
    } catch (e) {
      stamp = `missing:${(e as NodeJS.ErrnoException).code ?? ''}`;
      if (stamp !== this.manifestStamp) {
        const code = (e as NodeJS.ErrnoException).code;
        // no manifest yet is a fresh install (nothing published), not a problem
        if (code === 'ENOENT' && this.manifestStamp === '')
          this.log.info({ path: this.manifestPath }, 'no manifest yet: nothing published so far');
        else this.log.warn({ path: this.manifestPath, code }, 'manifest not readable; keeping the last good copy');
      }
      this.manifestStamp = stamp;
      return;
    }
    if (stamp === this.manifestStamp) return;
    try {
      const parsed = parseManifest(JSON.parse(await fs.readFile(this.manifestPath, 'utf8')));
      if (parsed.problems.length > 0)
        this.log.warn({ path: this.manifestPath, problems: parsed.problems.slice(0, 20) }, 'manifest entries skipped');
      this.manifestReleases = parsed.releases;
      this.manifestStamp = stamp;
      this.log.info({ path: this.manifestPath, releases: parsed.releases.length }, 'manifest loaded');
    } catch (e) {
      // Keep the old stamp out so a file that becomes valid with the same size and mtime is retried.
      this.manifestStamp = `bad:${stamp}`;
      this.log.error({ path: this.manifestPath, err: (e as Error).message }, 'manifest invalid; keeping the last good copy');
    }
  }

  private async refreshTorrents(): Promise<CatalogRelease[]> {
    let names: string[];
    try {
      names = (await fs.readdir(this.torrentsDir)).filter(isSafeTorrentName).sort();
    } catch {
      names = [];
    }
    const out: CatalogRelease[] = [];
    const alive = new Set(names);
    for (const name of [...this.torrents.keys()]) if (!alive.has(name)) this.torrents.delete(name);
    for (const name of names) {
      const file = path.join(this.torrentsDir, name);
      let stamp: string;
      try {
        const st = await fs.stat(file);
        if (!st.isFile() || st.size > 16 * 1024 * 1024) continue;
        stamp = `${st.size}:${st.mtimeMs}`;
      } catch {
        continue;
      }
      let cached = this.torrents.get(name);
      if (cached?.stamp !== stamp) {
        cached = { stamp, release: await this.readTorrent(file, name) };
        this.torrents.set(name, cached);
      }
      if (cached.release) out.push(cached.release);
    }
    return out;
  }

  private async readTorrent(file: string, name: string): Promise<CatalogRelease | null> {
    try {
      const t = await parseTorrent(await fs.readFile(file));
      const title = t.name ?? name.replace(/\.torrent$/, '');
      const single = (t.files?.length ?? 1) === 1;
      return {
        infoHash: t.infoHash.toLowerCase(),
        name: title,
        size: typeof t.length === 'number' ? t.length : null,
        publishedAt: t.created && !Number.isNaN(t.created.getTime()) ? t.created.toISOString() : null,
        removedAt: null,
        torrentFile: name,
        magnet: toMagnetURI(t),
        filePath: single && (await this.existsInReleases(title)) ? title : null,
        dirPath: null,
        sha256: null,
        source: 'torrent',
      };
    } catch (e) {
      this.log.warn({ file, err: (e as Error).message }, 'not a readable .torrent file; ignored');
      return null;
    }
  }

  private async existsInReleases(rel: string): Promise<boolean> {
    if (rel.startsWith('.') || /[/\\\0]/.test(rel)) return false;
    try {
      this.releasesDirReal ??= await fs.realpath(this.releasesDir);
      const real = await fs.realpath(path.join(this.releasesDir, rel));
      return real.startsWith(this.releasesDirReal + path.sep) && (await fs.stat(real)).isFile();
    } catch {
      return false;
    }
  }
}
