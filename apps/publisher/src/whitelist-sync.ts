import type { Logger } from '../../../libs/common/src/log.js';
import type { ReloadOutcome, TrackerSignaller } from './tracker-signal.js';
import type { WhitelistFile } from './whitelist-file.js';

export interface WhitelistSync {
  /** Writes the queued whitelist edits (one flush at a time) and asks the tracker to reload if any applied. */
  sync(): Promise<void>;
  /**
   * Makes queued additions live: writes the list, has the tracker reload (sharing the coalesced reload with
   * every release published meanwhile) and waits until it accepts them, at most `confirmTimeoutMs` (then it
   * warns and resolves: a tracker that is down must not hold a release back forever). Rejects when the list
   * cannot be written, as then the tracker cannot accept them at all.
   */
  live(hashes: readonly string[]): Promise<ReloadOutcome | 'timeout'>;
  busy(): boolean;
  /** Stops the retry timer. */
  close(): void;
}

const RETRY_MIN_MS = 2000;
const RETRY_MAX_MS = 60_000;

export interface WhitelistSyncOptions {
  readonly whitelist: WhitelistFile;
  readonly signaller: TrackerSignaller;
  readonly dryRun: boolean;
  readonly log: Logger;
  /** Called when the whitelist cannot be written (--once then exits 1). */
  readonly onFailure: () => void;
  /** Retry a failed write on a timer (a lock held too long, a full disk), not only on the next release event. */
  readonly retry: boolean;
  /** live() waits at most this long for the tracker. */
  readonly confirmTimeoutMs: number;
}

export function createWhitelistSync(opts: WhitelistSyncOptions): WhitelistSync {
  const { whitelist } = opts;
  let flushing: Promise<void> | null = null;
  let retryTimer: NodeJS.Timeout | null = null;
  let retryMs = 0;
  let closed = false;
  const sync = (): Promise<void> => {
    if (flushing) return flushing;
    if (!whitelist.hasPending()) return Promise.resolve();
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    flushing = (async () => {
      try {
        await flushPending(opts);
        retryMs = 0;
      } catch (err) {
        opts.onFailure();
        retryMs = Math.min(RETRY_MAX_MS, Math.max(RETRY_MIN_MS, retryMs * 2));
        const retrying = opts.retry && !closed;
        logWriteFailure(opts, err, retrying ? retryMs : null);
        if (retrying) {
          retryTimer = setTimeout(() => void sync(), retryMs);
          retryTimer.unref();
        }
      } finally {
        flushing = null;
      }
    })();
    return flushing;
  };
  const live = async (hashes: readonly string[]): Promise<ReloadOutcome | 'timeout'> => {
    await sync();
    const unwritten = hashes.filter((h) => whitelist.isPending(h));
    if (unwritten.length > 0) {
      throw Object.assign(new Error(`cannot write the whitelist ${whitelist.file}; the release is listed once its hash is on it`), {
        code: 'EWHITELIST',
      });
    }
    return reloadAndConfirm(opts, hashes);
  };
  return {
    sync,
    live,
    busy: () => flushing !== null,
    close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
    },
  };
}

/** Writes queued edits until none is left (more may be queued while a write runs); each applied one asks for a reload. */
async function flushPending(opts: WhitelistSyncOptions): Promise<void> {
  const { whitelist, signaller, dryRun, log } = opts;
  while (whitelist.hasPending()) {
    const { added, removed } = await whitelist.flush(dryRun);
    if (added.length === 0 && removed.length === 0) continue;
    if (dryRun) {
      log.info({ whitelist: whitelist.file, added, removed }, 'dry run: would update the whitelist and reload the tracker');
    } else {
      log.info({ whitelist: whitelist.file, added, removed }, 'whitelist updated');
      signaller.request(added);
    }
  }
}

function logWriteFailure(opts: WhitelistSyncOptions, err: unknown, retryInMs: number | null): void {
  const e = err as NodeJS.ErrnoException;
  opts.log.error(
    {
      whitelist: opts.whitelist.file,
      code: e?.code,
      error: err instanceof Error ? err.message : String(err),
      ...(retryInMs !== null ? { retryInMs } : {}),
    },
    'cannot write the whitelist; the publisher keeps running and retries on the next event',
  );
}

/** Asks the tracker to reload and waits for it to accept `hashes`, at most confirmTimeoutMs. */
async function reloadAndConfirm(opts: WhitelistSyncOptions, hashes: readonly string[]): Promise<ReloadOutcome | 'timeout'> {
  const { signaller, confirmTimeoutMs, log } = opts;
  // even when the list already had them: a crash may have come between that write and the reload
  signaller.request(hashes);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), confirmTimeoutMs);
  });
  const outcome = await Promise.race([signaller.settled(), timeout]).finally(() => clearTimeout(timer));
  if (outcome === 'unconfirmed' || outcome === 'timeout') {
    log.warn(
      { infoHashes: hashes, waitedMs: outcome === 'timeout' ? confirmTimeoutMs : undefined },
      'the tracker did not confirm that it accepts the new hashes; listing the release anyway',
    );
  }
  return outcome;
}
