import type { Logger } from '../../../libs/common/src/log.js';
import type { TrackerSignaller } from './tracker-signal.js';
import type { WhitelistFile } from './whitelist-file.js';

export interface WhitelistSync {
  /** Writes the queued whitelist edits (one flush at a time) and asks the tracker to reload if any applied. */
  sync(): Promise<void>;
  busy(): boolean;
}

export function createWhitelistSync(opts: {
  readonly whitelist: WhitelistFile;
  readonly signaller: TrackerSignaller;
  readonly dryRun: boolean;
  readonly log: Logger;
  /** Called when the whitelist cannot be written (--once then exits 1). */
  readonly onFailure: () => void;
}): WhitelistSync {
  const { whitelist, signaller, dryRun, log } = opts;
  let flushing: Promise<void> | null = null;
  const sync = (): Promise<void> => {
    if (flushing) return flushing;
    if (!whitelist.hasPending()) return Promise.resolve();
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
      } catch (err) {
        opts.onFailure();
        const e = err as NodeJS.ErrnoException;
        log.error({ whitelist: whitelist.file, code: e?.code, error: err instanceof Error ? err.message : String(err) },
          'cannot write the whitelist; the publisher keeps running and retries on the next event');
      } finally {
        flushing = null;
      }
    })();
    return flushing;
  };
  return { sync, busy: () => flushing !== null };
}
