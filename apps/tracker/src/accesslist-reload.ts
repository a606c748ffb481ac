/**
 * Reloading the access list (SIGHUP): one reload at a time, and a whitelist that lost most of its hashes is not
 * applied until the operator confirms it. Reads run concurrently otherwise, and an older read could be applied
 * after a newer one; a truncated or empty file would drop every peer at once.
 */
import type { Logger } from '../../../libs/common/src/log.js';
import { judgeShrink, MAX_LOSS_COUNT, MAX_LOSS_FRACTION } from '../../../libs/accesslist/src/shrink-guard.js';
import type { AccessMode } from '../../../libs/accesslist/src/access-policy.js';
import { loadAccessListFile } from './accesslist-source.js';

export interface AccessListReloader {
  /**
   * Reads the list and applies it. Requested while one runs, it runs once more after it (several requests
   * meanwhile share that one run); the promise settles when the run that saw this request is done.
   */
  reload(): Promise<void>;
}

export function createAccessListReloader(opts: {
  readonly path: string;
  readonly mode: AccessMode;
  readonly log: Logger;
  /** The set in force (empty before the first load). */
  readonly current: () => ReadonlySet<string>;
  readonly apply: (hashes: ReadonlySet<string>) => void;
}): AccessListReloader {
  const { path, log } = opts;
  let running: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  /** Digest of the last file refused for shrinking: reloading that same file again applies it. */
  let refusedDigest: string | null = null;

  async function once(): Promise<void> {
    const list = await loadAccessListFile(path, log);
    const before = opts.current();
    if (list === null) {
      log.warn(
        { path, kept: before.size },
        before.size > 0
          ? 'access list not reloaded; the previous list stays in force'
          : 'access list not reloaded; there is no previous list, so every torrent stays refused',
      );
      return;
    }
    // A blacklist that shrinks lets more in; only a shrinking whitelist drops peers.
    if (opts.mode === 'whitelist') {
      const verdict = judgeShrink(before, list.hashes);
      if (verdict.refuse && list.digest !== refusedDigest) {
        refusedDigest = list.digest;
        log.error(
          { path, before: before.size, after: list.hashes.size, lost: verdict.lost },
          `access list NOT applied: it lost ${verdict.lost} of ${before.size} hashes (more than ${MAX_LOSS_FRACTION * 100}% and more than ${MAX_LOSS_COUNT}), ` +
            'which looks like a truncated or emptied file; the previous list stays in force. ' +
            'If this is intended, reload again (SIGHUP) without changing the file to apply it.',
        );
        return;
      }
      if (verdict.refuse)
        log.warn(
          { path, before: before.size, after: list.hashes.size, lost: verdict.lost },
          'access list applied on the second identical reload (confirmed)',
        );
    }
    refusedDigest = null;
    opts.apply(list.hashes);
  }

  function reload(): Promise<void> {
    if (running === null) {
      running = once().finally(() => {
        running = null;
      });
      return running;
    }
    queued ??= running
      .catch(() => undefined)
      .then(() => {
        queued = null;
        return reload();
      });
    return queued;
  }

  return { reload };
}
