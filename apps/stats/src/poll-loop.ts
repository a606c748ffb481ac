import type { Logger } from '../../../libs/common/src/log.js';
import type { CountSync } from './count-sync.js';
import type { SiteSnapshots } from './site-snapshots.js';

/** One poll: catalog, then the tracker's counts into the store; the outcome becomes the page's status line. */
export async function pollOnce(snapshots: SiteSnapshots, sync: CountSync, now: () => number, log: Logger): Promise<void> {
  try {
    await snapshots.refreshCatalog();
    const outcome = await sync.poll();
    const at = now();
    if (outcome.ok) {
      log.debug(outcome, 'tracker stats stored');
      snapshots.status = { lastSuccessAt: at, lastAttemptAt: at, lastError: null };
    } else {
      snapshots.status = { ...snapshots.status, lastAttemptAt: at, lastError: outcome.error };
    }
  } catch (e) {
    // A store failure (disk full, locked file) must not stop the site; the page shows the warning.
    log.error({ err: (e as Error).message }, 'storing tracker stats failed');
    snapshots.status = { ...snapshots.status, lastAttemptAt: now(), lastError: 'could not store the data' };
  }
  snapshots.changed();
}

/** Polls one after another (never two at once): every `intervalMs` after the previous ends, and on demand. */
export class PollLoop {
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly poll: () => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    void this.enqueue().then(this.schedule);
  }

  /** Runs one poll now (after any poll in flight) and resolves when its data is stored. */
  pollNow(): Promise<void> {
    return this.closed ? Promise.reject(new Error('stats app is closed')) : this.enqueue();
  }

  /** No poll starts after this; `drained` resolves when the one running ends. */
  stop(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  drained(): Promise<void> {
    return this.chain;
  }

  private enqueue(): Promise<void> {
    this.chain = this.chain.then(this.poll);
    return this.chain;
  }

  private readonly schedule = (): void => {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.enqueue().then(this.schedule), this.intervalMs);
  };
}
