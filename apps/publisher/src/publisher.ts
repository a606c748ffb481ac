import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FSWatcher } from 'chokidar';
import type { Logger } from '../../../libs/common/src/log.js';
import type { PublisherConfig } from './config.js';
import { ManifestCommits } from './manifest-commits.js';
import { loadManifest } from './manifest-store.js';
import type { ProgressSink } from './progress.js';
import type { MachineSettings } from './release-machine.js';
import { createReleaseQueue, type ReleaseQueue } from './release-queue.js';
import { listReleaseKeys } from './release-scan.js';
import { watchReleases } from './release-watcher.js';
import { releaseWork } from './release-work.js';
import { trackerProbe } from './tracker-probe.js';
import { createTrackerSignaller, type TrackerSignaller } from './tracker-signal.js';
import { WhitelistFile } from './whitelist-file.js';
import { createWhitelistSync, type WhitelistSync } from './whitelist-sync.js';

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
 * a release is release-machine.ts, run by release-queue.ts with the I/O of release-work.ts; manifest changes are
 * manifest-commits.ts; the whitelist and tracker reload are whitelist-sync.ts; the watcher is release-watcher.ts.
 * Every top-level entry of releases/ is one release.
 */
export async function startPublisher(config: PublisherConfig, log: Logger, deps: PublisherDeps = {}): Promise<PublisherHandle> {
  const now = deps.now ?? (() => new Date());
  const sink: ProgressSink = deps.progressSink ?? { isTTY: process.stderr.isTTY === true, write: (t) => process.stderr.write(t) };
  const closing = new AbortController();
  let failures = 0;

  const loaded = await loadManifest(config.manifestPath, now());
  if (loaded.warning) log.error(loaded.warning);
  if (!config.dryRun) await makeFolders(config);

  const whitelist = new WhitelistFile(config.whitelistPath);
  const signaller = trackerSignaller(config, log, deps.reloadTracker);
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
    settings: queueSettings(config),
    log,
    now: () => now().getTime(),
    signal: closing.signal,
    onFailure: () => {
      failures++;
    },
    afterStep: () => void whitelistSync.sync(),
    work: releaseWork(config, { commits, whitelist, log, sink, signal: closing.signal }),
  });

  const watcher = config.once
    ? null
    : await watchReleases(config.releasesDir, log, (key) => {
        if (key !== null) queue.changed(key);
        if (whitelist.hasPending()) void whitelistSync.sync();
      });
  const found = await lookAtEveryRelease(config.releasesDir, commits, queue);
  log.info(
    { releases: config.releasesDir, found, once: config.once, dryRun: config.dryRun, quietMs: config.stableMs },
    'publisher started',
  );
  return publisherHandle({ closing, watcher, queue, whitelistSync, signaller, failures: () => failures });
}

async function makeFolders(config: PublisherConfig): Promise<void> {
  await mkdir(config.releasesDir, { recursive: true });
  await mkdir(config.torrentsDir, { recursive: true });
  await mkdir(path.dirname(config.manifestPath), { recursive: true });
}

function trackerSignaller(config: PublisherConfig, log: Logger, reloadTracker: PublisherDeps['reloadTracker']): TrackerSignaller {
  return createTrackerSignaller({
    pidFile: config.trackerPidFile,
    reloadCommand: config.reloadCommand,
    coalesceMs: config.signalCoalesceMs,
    timeoutMs: config.reloadTimeoutMs,
    log,
    confirmTimeoutMs: config.confirmTimeoutMs,
    ...(reloadTracker ? { reloadInProcess: reloadTracker } : {}),
    // after a SIGHUP, the tracker says through its scrape when it accepts a new hash
    probe: trackerProbe(config.announceHttpUrl),
  });
}

function queueSettings(config: PublisherConfig): MachineSettings {
  return {
    quietMs: config.stableMs,
    recheckMs: Math.min(RECHECK_MS, config.stableMs),
    debounceMs: EVENT_DEBOUNCE_MS,
    retryMinMs: RETRY_MIN_MS,
    retryMaxMs: RETRY_MAX_MS,
    once: config.once,
  };
}

/** Queues every release on disk, and the releases published earlier but gone while we were not running. */
async function lookAtEveryRelease(releasesDir: string, commits: ManifestCommits, queue: ReleaseQueue): Promise<number> {
  const keys = await listReleaseKeys(releasesDir);
  const seen = new Set(keys);
  for (const key of keys) queue.look(key);
  for (const r of commits.current.releases) if (r.removedAt === null && !seen.has(r.path)) queue.look(r.path);
  return keys.length;
}

function publisherHandle(parts: {
  readonly closing: AbortController;
  readonly watcher: FSWatcher | null;
  readonly queue: ReleaseQueue;
  readonly whitelistSync: WhitelistSync;
  readonly signaller: TrackerSignaller;
  readonly failures: () => number;
}): PublisherHandle {
  const { closing, watcher, queue, whitelistSync, signaller } = parts;
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
    failures: parts.failures,
  };
}
