import { access } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../../libs/common/src/log.js';
import type { Manifest, ManifestRelease } from '../../../libs/common/src/manifest.js';
import { removeStaleTemps, writeFileAtomic } from '../../../libs/common/src/atomic-write.js';
import type { BuiltTorrent } from '../../../libs/torrent/src/index.js';
import type { PublisherConfig } from './config.js';
import type { ScannedRelease } from './hash-release.js';
import { hashIsLive, liveEntries, recordPublished, recordRemoved, saveManifest } from './manifest-store.js';
import { torrentFileName } from './release-rules.js';
import type { WhitelistFile } from './whitelist-file.js';

/**
 * The publisher's copy of the manifest and every change to it. Updates are read-modify-write on one in-memory
 * manifest, so they run one at a time (concurrent releases would lose entries); each is written atomically
 * before the in-memory copy moves on. Whitelist additions come before the manifest entry, removals after it.
 */
export class ManifestCommits {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private manifest: Manifest,
    private readonly config: PublisherConfig,
    private readonly whitelist: WhitelistFile,
    private readonly log: Logger,
    private readonly now: () => Date,
    /** Writes the queued whitelist additions and resolves once the tracker accepts them (or gave up waiting). */
    private readonly live: (hashes: readonly string[]) => Promise<unknown>,
  ) {}

  get current(): Manifest {
    return this.manifest;
  }

  private locked<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.chain.then(fn);
    this.chain = result.catch(() => undefined);
    return result;
  }

  /** The live entry already published from exactly these files (torrent still on disk), if any. */
  async alreadyPublished(key: string, fingerprint: string): Promise<ManifestRelease | null> {
    const same = liveEntries(this.manifest, key).find((r) => r.fingerprint === fingerprint);
    if (!same) return null;
    try {
      await access(path.join(this.config.torrentsDir, same.torrent));
      return same;
    } catch {
      return null;
    }
  }

  markGone(key: string, why: string): Promise<void> {
    return this.locked(async () => {
      const { config, log } = this;
      const live = liveEntries(this.manifest, key);
      if (live.length === 0) return;
      if (config.dryRun) {
        log.info(
          { release: key, infoHashes: live.map((r) => r.infoHash), onDelete: config.onDelete },
          `dry run: would mark removed (${why})`,
        );
        return;
      }
      const next = recordRemoved(this.manifest, key, this.now());
      await saveManifest(config.manifestPath, next);
      this.manifest = next;
      log.info(
        { release: key, infoHashes: live.map((r) => r.infoHash), onDelete: config.onDelete },
        `release removed (${why}); manifest entry kept with removedAt`,
      );
      if (config.onDelete === 'remove') for (const r of live) if (!hashIsLive(this.manifest, r.infoHash)) this.whitelist.remove(r.infoHash);
    });
  }

  /**
   * Publishes a hashed release so that the page never lists it before the tracker accepts it: torrent file,
   * then whitelist and tracker reload (waited for, outside the manifest lock so that releases published
   * meanwhile share one reload), then the manifest entry the page reads; hashes it replaced leave the
   * whitelist last, once the new one is live. Each write is atomic, and a crash between two of them leaves
   * no manifest entry, so the next run hashes the release again and repeats every step (the reload too).
   */
  async publish(key: string, state: ScannedRelease, built: BuiltTorrent, ms: number): Promise<void> {
    const { config, log } = this;
    const torrent = torrentFileName(key, built.infoHash);
    const timing = { ms: Math.round(ms), mibps: Math.round((built.length / 1048576 / Math.max(ms, 1)) * 1000) };
    if (config.dryRun) {
      return this.locked(async () => {
        log.info(
          {
            release: key,
            infoHash: built.infoHash,
            torrent: path.join(config.torrentsDir, torrent),
            size: built.length,
            pieceLength: built.pieceLength,
            ...timing,
          },
          'dry run: would publish',
        );
        this.whitelist.add(built.infoHash, key);
      });
    }
    // the only writer of this torrent (one publisher per manifest, one step at a time per release): a temp file of
    // it is one a publisher killed while writing it left
    removeStaleTemps(path.join(config.torrentsDir, torrent));
    await writeFileAtomic(path.join(config.torrentsDir, torrent), built.torrent);
    this.whitelist.add(built.infoHash, key);
    await this.live([built.infoHash]);
    return this.locked(async () => {
      const entry: ManifestRelease = {
        name: key,
        path: key,
        size: built.length,
        infoHash: built.infoHash,
        magnet: built.magnet,
        pieceLength: built.pieceLength,
        publishedAt: this.now().toISOString(),
        sha256: built.sha256,
        torrent,
        removedAt: null,
        fingerprint: state.fingerprint,
      };
      const replaced = liveEntries(this.manifest, key).filter((r) => r.infoHash !== built.infoHash);
      const next = recordPublished(this.manifest, entry, this.now());
      await saveManifest(config.manifestPath, next);
      this.manifest = next;
      if (config.onDelete === 'remove')
        for (const r of replaced) if (!hashIsLive(this.manifest, r.infoHash)) this.whitelist.remove(r.infoHash);
      log.info(
        {
          release: key,
          infoHash: built.infoHash,
          torrent,
          size: built.length,
          pieceLength: built.pieceLength,
          sha256: built.sha256,
          replaced: replaced.map((r) => r.infoHash),
          ...timing,
        },
        'published',
      );
    });
  }
}
