import type { Logger } from '../../../libs/common/src/log.js';
import type { TrackerSignaller } from './tracker-signal.js';
import type { WhitelistFile } from './whitelist-file.js';

export interface WhitelistSync {
  /** Writes the queued whitelist edits (one flush at a time) and asks the tracker to reload if any applied. */
  sync(): Promise<void>;
  busy(): boolean;
  /** Stops the retry timer. */
  close(): void;
}

const RETRY_MIN_MS = 2000;
const RETRY_MAX_MS = 60_000;

export function createWhitelistSync(opts: {
  readonly whitelist: WhitelistFile;
  readonly signaller: TrackerSignaller;
  readonly dryRun: boolean;
  readonly log: Logger;
  /** Called when the whitelist cannot be written (--once then exits 1). */
  readonly onFailure: () => void;
  /** Retry a failed write on a timer (a lock held too long, a full disk), not only on the next release event. */
  readonly retry: boolean;
}): WhitelistSync {
  const { whitelist, signaller, dryRun, log } = opts;
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
        while (whitelist.hasPending()) {
          const { added, removed } = await whitelist.flush(dryRun);
          if (added.length === 0 && removed.length === 0) continue;
          if (dryRun) {
            log.info({ whitelist: whitelist.file, added, removed }, 'dry run: would update the whitelist and reload the tracker');
          } else {
            log.info({ whitelist: whitelist.file, added, removed }, 'whitelist updated');
            signaller.request();
          }
        }
        retryMs = 0;
      } catch (err) {
        opts.onFailure();
        const e = err as NodeJS.ErrnoException;
        retryMs = Math.min(RETRY_MAX_MS, Math.max(RETRY_MIN_MS, retryMs * 2));
        const retrying = opts.retry && !closed;
        log.error({ whitelist: whitelist.file, code: e?.code, error: err instanceof Error ? err.message : String(err), ...(retrying ? { retryInMs: retryMs } : {}) },
          'cannot write the whitelist; the publisher keeps running and retries on the next event');
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
  return {
    sync,
    busy: () => flushing !== null,
    close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
    },
  };
}
