import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '../../../libs/common/src/log.js';
import type { Manifest, ManifestRelease } from '../../../libs/common/src/manifest.js';
import { buildTorrent, type BuiltTorrent } from '../../../libs/torrent/src/index.js';
import { writeFileAtomic } from '../../../libs/common/src/atomic-write.js';
import type { PublisherConfig } from './config.js';
import { hashIsLive, liveEntries, loadManifest, recordPublished, recordRemoved, saveManifest } from './manifest-store.js';
import { createProgress, type ProgressSink } from './progress.js';
import { isIgnoredName, releaseKeyOf, torrentFileName } from './release-rules.js';
import { listReleaseKeys, scanRelease, type ReleaseState } from './release-scan.js';
import { createTrackerSignaller } from './tracker-signal.js';
import { WhitelistFile } from './whitelist-file.js';

export const CREATED_BY = 'release-tracker-suite/0.1';
/** After a watcher event, wait this long for sibling events (a folder being copied) before looking. */
const EVENT_DEBOUNCE_MS = 300;
/** Payloads at least this big report hashing progress. */
const PROGRESS_MIN_BYTES = 64 * 1024 * 1024;
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
}

interface KeyState {
  timer: NodeJS.Timeout | null;
  running: Promise<void> | null;
  dirty: boolean;
  /** Seen by the startup scan: chokidar's awaitWriteFinish does not cover those, so wait the full stableMs. */
  initial: boolean;
  retryMs: number;
}

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

function errFields(err: unknown): { code: string | undefined; error: string } {
  return { code: errCode(err), error: err instanceof Error ? err.message : String(err) };
}

/**
 * Watches config.releasesDir and keeps torrents, manifest and whitelist in step with it (see issue 3).
 * Every top-level entry of releases/ is one release (a folder is one multi-file release); each release is
 * processed by at most one task at a time, and only one release is hashed at a time (memory, CPU).
 */
export async function startPublisher(config: PublisherConfig, log: Logger, deps: PublisherDeps = {}): Promise<PublisherHandle> {
  const now = deps.now ?? (() => new Date());
  const sink: ProgressSink = deps.progressSink ?? { isTTY: process.stderr.isTTY === true, write: (t) => process.stderr.write(t) };
  const closing = new AbortController();
  const states = new Map<string, KeyState>();
  const whitelist = new WhitelistFile(config.whitelistPath);
  const signaller = createTrackerSignaller({
    pidFile: config.trackerPidFile, reloadCommand: config.reloadCommand,
    coalesceMs: config.signalCoalesceMs, timeoutMs: config.reloadTimeoutMs, log,
  });
  let failures = 0;
  let whitelistFlush: Promise<void> | null = null;
  let hashChain: Promise<unknown> = Promise.resolve();
  let commitChain: Promise<unknown> = Promise.resolve();
  let watcher: FSWatcher | null = null;

  const loaded = await loadManifest(config.manifestPath, now());
  if (loaded.warning) log.error(loaded.warning);
  let manifest: Manifest = loaded.manifest;

  if (!config.dryRun) {
    await mkdir(config.releasesDir, { recursive: true });
    await mkdir(config.torrentsDir, { recursive: true });
    await mkdir(path.dirname(config.manifestPath), { recursive: true });
  }

  // ---- whitelist + signal --------------------------------------------------------------------------

  const syncWhitelist = (): Promise<void> => {
    if (whitelistFlush) return whitelistFlush;
    if (!whitelist.hasPending()) return Promise.resolve();
    whitelistFlush = (async () => {
      try {
        while (whitelist.hasPending()) {
          const { added, removed } = await whitelist.flush(config.dryRun);
          if (added.length === 0 && removed.length === 0) continue;
          if (config.dryRun) {
            log.info({ whitelist: config.whitelistPath, added, removed }, 'dry run: would update the whitelist and reload the tracker');
          } else {
            log.info({ whitelist: config.whitelistPath, added, removed }, 'whitelist updated');
            signaller.request();
          }
        }
      } catch (err) {
        if (config.once) failures++;
        log.error({ whitelist: config.whitelistPath, ...errFields(err) }, 'cannot write the whitelist; the publisher keeps running and retries on the next event');
      } finally {
        whitelistFlush = null;
      }
    })();
    return whitelistFlush;
  };

  // ---- one release ---------------------------------------------------------------------------------

  /** Manifest updates are read-modify-write on `manifest`: one at a time, or concurrent releases lose entries. */
  const withCommitLock = <T>(fn: () => Promise<T>): Promise<T> => {
    const result = commitChain.then(fn);
    commitChain = result.catch(() => undefined);
    return result;
  };

  const markGone = (key: string, why: string): Promise<void> => withCommitLock(async () => {
    const live = liveEntries(manifest, key);
    if (live.length === 0) return;
    if (config.dryRun) {
      log.info({ release: key, infoHashes: live.map((r) => r.infoHash), onDelete: config.onDelete }, `dry run: would mark removed (${why})`);
      return;
    }
    const next = recordRemoved(manifest, key, now());
    await saveManifest(config.manifestPath, next);
    manifest = next;
    log.info({ release: key, infoHashes: live.map((r) => r.infoHash), onDelete: config.onDelete }, `release removed (${why}); manifest entry kept with removedAt`);
    if (config.onDelete === 'remove') for (const r of live) if (!hashIsLive(manifest, r.infoHash)) whitelist.remove(r.infoHash);
  });

  const handleNotRelease = async (key: string, state: Exclude<ReleaseState, { kind: 'release' }>): Promise<void> => {
    if (state.kind === 'refused') log.warn({ release: key }, `refused: ${JSON.stringify(key)} ${state.reason}`);
    await markGone(key, state.kind === 'missing' ? 'gone from the releases folder' : 'no longer publishable');
  };

  const withHashLock = <T>(fn: () => Promise<T>): Promise<T> => {
    const result = hashChain.then(fn);
    hashChain = result.catch(() => undefined);
    return result;
  };

  const hash = (key: string, state: Extract<ReleaseState, { kind: 'release' }>): Promise<BuiltTorrent> => withHashLock(async () => {
    closing.signal.throwIfAborted();
    const progress = state.size >= PROGRESS_MIN_BYTES ? createProgress(key, log, sink, Date.now) : null;
    log.info({ release: key, size: state.size, files: state.files.length }, 'hashing');
    try {
      return await buildTorrent({
        name: key,
        single: state.single,
        files: state.files.map((f) => ({ absPath: f.absPath, path: f.path, length: f.size })),
        announceList: [[config.announceHttpUrl], [config.announceUdpUrl]],
        urlList: [config.webSeedBaseUrl],
        comment: `${key}, published with ${CREATED_BY}`,
        createdBy: CREATED_BY,
        // From the content's mtime, not the clock: rebuilding the same file gives the same bytes.
        creationDate: Math.ceil(state.maxMtimeMs / 1000),
        private: config.private,
        threads: config.hashThreads,
        sha256: state.single,
        signal: closing.signal,
        ...(progress ? { onProgress: (d: number, t: number) => progress.update(d, t) } : {}),
      });
    } finally {
      progress?.end();
    }
  });

  const publish = (key: string, state: Extract<ReleaseState, { kind: 'release' }>, built: BuiltTorrent, ms: number): Promise<void> => withCommitLock(async () => {
    const torrent = torrentFileName(key, built.infoHash);
    const entry: ManifestRelease = {
      name: key, path: key, size: built.length, infoHash: built.infoHash, magnet: built.magnet,
      pieceLength: built.pieceLength, publishedAt: now().toISOString(), sha256: built.sha256, torrent,
      removedAt: null, fingerprint: state.fingerprint,
    };
    const timing = { ms: Math.round(ms), mibps: Math.round(built.length / 1048576 / Math.max(ms, 1) * 1000) };
    if (config.dryRun) {
      log.info({ release: key, infoHash: built.infoHash, torrent: path.join(config.torrentsDir, torrent), size: built.length, pieceLength: built.pieceLength, ...timing }, 'dry run: would publish');
      whitelist.add(built.infoHash, key);
      return;
    }
    // Order matters: torrent file, then manifest, then whitelist. A crash or ENOSPC in between leaves
    // nothing half-written (atomic writes) and the next run repairs the rest (whitelist is re-checked).
    await writeFileAtomic(path.join(config.torrentsDir, torrent), built.torrent);
    const replaced = liveEntries(manifest, key).filter((r) => r.infoHash !== built.infoHash);
    const next = recordPublished(manifest, entry, now());
    await saveManifest(config.manifestPath, next);
    manifest = next;
    whitelist.add(built.infoHash, key);
    if (config.onDelete === 'remove') for (const r of replaced) if (!hashIsLive(manifest, r.infoHash)) whitelist.remove(r.infoHash);
    log.info({ release: key, infoHash: built.infoHash, torrent, size: built.length, pieceLength: built.pieceLength, sha256: built.sha256, replaced: replaced.map((r) => r.infoHash), ...timing }, 'published');
  });

  const alreadyPublished = async (key: string, fingerprint: string): Promise<ManifestRelease | null> => {
    const same = liveEntries(manifest, key).find((r) => r.fingerprint === fingerprint);
    if (!same) return null;
    try {
      await access(path.join(config.torrentsDir, same.torrent));
      return same;
    } catch {
      return null;
    }
  };

  const processKey = async (key: string, st: KeyState): Promise<void> => {
    // Startup files may still be growing (no awaitWriteFinish for the initial scan): wait a full stableMs.
    // Live events already waited stableMs inside chokidar, so a shorter recheck suffices.
    let settleMs = st.initial ? config.stableMs : Math.min(500, config.stableMs);
    st.initial = false;
    for (;;) {
      let state = await scanRelease(config.releasesDir, key, config.private);
      if (state.kind !== 'release') return handleNotRelease(key, state);
      for (;;) {
        await sleep(settleMs, undefined, { signal: closing.signal });
        const again = await scanRelease(config.releasesDir, key, config.private);
        if (again.kind !== 'release') return handleNotRelease(key, again);
        if (again.fingerprint === state.fingerprint) break;
        state = again;
        settleMs = config.stableMs;
      }
      for (const s of state.skipped) log.warn({ release: key, entry: s }, 'refused inside a folder release: only regular files are published, symlinks never');

      const existing = await alreadyPublished(key, state.fingerprint);
      if (existing) {
        log.debug({ release: key, infoHash: existing.infoHash }, 'already published, unchanged');
        whitelist.add(existing.infoHash, key);
        return;
      }
      const t0 = performance.now();
      let built: BuiltTorrent;
      try {
        built = await hash(key, state);
      } catch (err) {
        const code = errCode(err);
        if (closing.signal.aborted) throw err;
        if (code === 'ENOENT' || code === 'EPAYLOADCHANGED') {
          log.warn({ release: key, code }, 'release changed or was deleted during hashing; looking again once it settles');
          settleMs = config.stableMs;
          continue;
        }
        if (code === 'EACCES' || code === 'EPERM' || code === 'EISDIR') {
          failures++;
          log.error({ release: key, ...errFields(err) }, 'cannot read the release; skipped until it changes');
          return;
        }
        throw err;
      }
      const after = await scanRelease(config.releasesDir, key, config.private);
      if (after.kind !== 'release') {
        log.warn({ release: key }, 'release deleted during hashing; result dropped');
        return handleNotRelease(key, after);
      }
      if (after.fingerprint !== state.fingerprint) {
        log.warn({ release: key }, 'release changed during hashing; re-hashing after it settles');
        settleMs = config.stableMs;
        continue;
      }
      await publish(key, state, built, performance.now() - t0);
      return;
    }
  };

  // ---- scheduling ----------------------------------------------------------------------------------

  const schedule = (key: string, delayMs: number, initial = false): void => {
    if (closing.signal.aborted) return;
    let st = states.get(key);
    if (!st) {
      st = { timer: null, running: null, dirty: false, initial: false, retryMs: 0 };
      states.set(key, st);
    }
    if (initial) st.initial = true;
    if (st.running) {
      st.dirty = true;
      return;
    }
    if (st.timer) clearTimeout(st.timer);
    st.timer = setTimeout(() => run(key), delayMs);
  };

  const run = (key: string): void => {
    const st = states.get(key);
    if (!st) return;
    st.timer = null;
    st.dirty = false;
    st.running = (async () => {
      try {
        await processKey(key, st);
        st.retryMs = 0;
      } catch (err) {
        if (closing.signal.aborted) return;
        failures++;
        st.retryMs = Math.min(RETRY_MAX_MS, Math.max(RETRY_MIN_MS, st.retryMs * 2));
        const retry = config.once ? {} : { retryInMs: st.retryMs };
        log.error({ release: key, ...errFields(err), ...retry }, config.once ? 'could not publish' : 'could not publish; will retry');
        if (!config.once) st.timer = setTimeout(() => run(key), st.retryMs);
      }
      await syncWhitelist();
    })().finally(() => {
      st.running = null;
      if (st.dirty) schedule(key, EVENT_DEBOUNCE_MS);
      else if (!st.timer) states.delete(key);
    });
  };

  const busy = (): boolean => states.size > 0 || whitelistFlush !== null || signaller.busy();

  // ---- start ---------------------------------------------------------------------------------------

  if (!config.once) {
    const w = watch(config.releasesDir, {
      ignoreInitial: true,
      followSymlinks: false,
      awaitWriteFinish: { stabilityThreshold: config.stableMs, pollInterval: 100 },
      ignored: (p: string) => {
        const rel = path.relative(config.releasesDir, p);
        return rel !== '' && !rel.startsWith('..') && rel.split(path.sep).some(isIgnoredName);
      },
    });
    watcher = w;
    w.on('all', (event, p) => {
      const key = releaseKeyOf(path.relative(config.releasesDir, p));
      log.debug({ event, path: p, release: key }, 'watch event');
      if (key !== null) schedule(key, EVENT_DEBOUNCE_MS);
      if (whitelist.hasPending()) void syncWhitelist();
    });
    w.on('error', (err) => log.error({ ...errFields(err) }, 'watcher error'));
    await new Promise<void>((resolve) => w.once('ready', () => resolve()));
  }
  const keys = await listReleaseKeys(config.releasesDir);
  const seen = new Set(keys);
  for (const key of keys) schedule(key, 0, true);
  // Releases published earlier but gone while we were not running.
  for (const r of manifest.releases) if (r.removedAt === null && !seen.has(r.path)) schedule(r.path, 0, true);
  log.info({ releases: config.releasesDir, found: keys.length, once: config.once, dryRun: config.dryRun }, 'publisher started');

  return {
    async idle() {
      while (busy()) await sleep(25);
    },
    async close() {
      closing.abort();
      for (const st of states.values()) if (st.timer) clearTimeout(st.timer);
      await watcher?.close();
      await Promise.all([...states.values()].map((st) => st.running?.catch(() => undefined)));
      states.clear();
      await whitelistFlush;
      await signaller.flush();
    },
    failures: () => failures,
  };
}
