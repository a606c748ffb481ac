import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '../../../libs/common/src/log.js';
import type { PublisherConfig } from './config.js';
import { hashRelease } from './hash-release.js';
import { ManifestCommits } from './manifest-commits.js';
import { loadManifest } from './manifest-store.js';
import type { ProgressSink } from './progress.js';
import { createReleaseQueue } from './release-queue.js';
import { isIgnoredName } from '../../../libs/common/src/ignored-names.js';
import { releaseKeyOf } from './release-rules.js';
import { listReleaseKeys, scanRelease } from './release-scan.js';
import { trackerProbe } from './tracker-probe.js';
import { createTrackerSignaller } from './tracker-signal.js';
import { WhitelistFile } from './whitelist-file.js';
import { createWhitelistSync } from './whitelist-sync.js';

export { CREATED_BY } from './hash-release.js';

/** After a watcher event, wait this long for sibling events (a folder being copied) before looking. */
const EVENT_DEBOUNCE_MS = 300;
/** Two scans at least this far apart must agree before hashing (capped by the quiet period). */
const RECHECK_MS = 500;
const RETRY_MIN_MS = 2000;
const RETRY_MAX_MS = 60_000;

export interface PublisherHandle {
  /** Stops watching, aborts hashing in progress, sends a pending tracker reload, and resolves when all is quiet. */
  close(): Promise<void>;
  /** Resolves once nothing is queued, waiting, hashing or about to be signalled. */
  idle(): Promise<void>;
  /** Releases that failed (could not be read or written) since start; `--once` exits 1 when non-zero. */
  failures(): number;
}

export interface PublisherDeps {
  readonly now?: () => Date;
  readonly progressSink?: ProgressSink;
  /** The tracker's reload when it runs in this process (the suite): awaited instead of a SIGHUP and a probe. */
  readonly reloadTracker?: () => Promise<void>;
}

/**
 * Watches config.releasesDir and keeps torrents, manifest and whitelist in step with it. Wiring only: the life of
 * a release is release-machine.ts, run by release-queue.ts; manifest changes are manifest-commits.ts; the
 * whitelist and tracker reload are whitelist-sync.ts. Every top-level entry of releases/ is one release.
 */
export async function startPublisher(config: PublisherConfig, log: Logger, deps: PublisherDeps = {}): Promise<PublisherHandle> {
  const now = deps.now ?? (() => new Date());
  const sink: ProgressSink = deps.progressSink ?? { isTTY: process.stderr.isTTY === true, write: (t) => process.stderr.write(t) };
  const closing = new AbortController();
  let failures = 0;

  const loaded = await loadManifest(config.manifestPath, now());
  if (loaded.warning) log.error(loaded.warning);
  if (!config.dryRun) {
    await mkdir(config.releasesDir, { recursive: true });
    await mkdir(config.torrentsDir, { recursive: true });
    await mkdir(path.dirname(config.manifestPath), { recursive: true });
  }

  const whitelist = new WhitelistFile(config.whitelistPath);
  const signaller = createTrackerSignaller({
    pidFile: config.trackerPidFile,
    reloadCommand: config.reloadCommand,
    coalesceMs: config.signalCoalesceMs,
    timeoutMs: config.reloadTimeoutMs,
    log,
    confirmTimeoutMs: config.confirmTimeoutMs,
    ...(deps.reloadTracker ? { reloadInProcess: deps.reloadTracker } : {}),
    // after a SIGHUP, the tracker says through its scrape when it accepts a new hash
    probe: trackerProbe(config.announceHttpUrl),
  });
  const whitelistSync = createWhitelistSync({
    whitelist,
    signaller,
    dryRun: config.dryRun,
    log,
    onFailure: () => {
      if (config.once) failures++;
    },
    retry: !config.once,
    confirmTimeoutMs: config.confirmTimeoutMs,
  });
  const commits = new ManifestCommits(loaded.manifest, config, whitelist, log, now, (hashes) => whitelistSync.live(hashes));

  const queue = createReleaseQueue({
    settings: {
      quietMs: config.stableMs,
      recheckMs: Math.min(RECHECK_MS, config.stableMs),
      debounceMs: EVENT_DEBOUNCE_MS,
      retryMinMs: RETRY_MIN_MS,
      retryMaxMs: RETRY_MAX_MS,
      once: config.once,
    },
    log,
    now: () => now().getTime(),
    signal: closing.signal,
    onFailure: () => {
      failures++;
    },
    afterStep: () => void whitelistSync.sync(),
    work: {
      scan: (key) => scanRelease(config.releasesDir, key, config.private),
      async hash(key, state) {
        const existing = await commits.alreadyPublished(key, state.fingerprint);
        if (existing) {
          log.debug({ release: key, infoHash: existing.infoHash }, 'already published, unchanged');
          whitelist.add(existing.infoHash, key);
          return null;
        }
        return hashRelease(key, state, config, { log, sink, signal: closing.signal });
      },
      publish: (key, state, built, ms) => commits.publish(key, state, built, ms),
      gone: (key, state) => commits.markGone(key, state.kind === 'missing' ? 'gone from the releases folder' : 'no longer publishable'),
    },
  });

  let watcher: FSWatcher | null = null;
  if (!config.once) {
    // No awaitWriteFinish: the release machine owns "unchanged long enough", for folders as for files.
    const w = watch(config.releasesDir, {
      ignoreInitial: true,
      followSymlinks: false,
      ignored: (p: string) => {
        const rel = path.relative(config.releasesDir, p);
        return rel !== '' && !rel.startsWith('..') && rel.split(path.sep).some(isIgnoredName);
      },
    });
    watcher = w;
    w.on('all', (event, p) => {
      const key = releaseKeyOf(path.relative(config.releasesDir, p));
      log.debug({ event, path: p, release: key }, 'watch event');
      if (key !== null) queue.changed(key);
      if (whitelist.hasPending()) void whitelistSync.sync();
    });
    w.on('error', (err) => log.error({ error: err instanceof Error ? err.message : String(err) }, 'watcher error'));
    await new Promise<void>((resolve) => w.once('ready', () => resolve()));
  }
  const keys = await listReleaseKeys(config.releasesDir);
  const seen = new Set(keys);
  for (const key of keys) queue.look(key);
  // Releases published earlier but gone while we were not running.
  for (const r of commits.current.releases) if (r.removedAt === null && !seen.has(r.path)) queue.look(r.path);
  log.info(
    { releases: config.releasesDir, found: keys.length, once: config.once, dryRun: config.dryRun, quietMs: config.stableMs },
    'publisher started',
  );

  const busy = (): boolean => queue.busy() || whitelistSync.busy() || signaller.busy();
  return {
    async idle() {
      while (busy()) await sleep(25);
    },
    async close() {
      closing.abort();
      await watcher?.close();
      await queue.close();
      whitelistSync.close();
      if (whitelistSync.busy()) await whitelistSync.sync();
      await signaller.flush();
    },
    failures: () => failures,
  };
}
