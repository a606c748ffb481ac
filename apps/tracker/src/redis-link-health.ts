import type { Logger } from '../../../libs/common/src/log.js';
import type { Clock, ClusterStatus } from './tracker.js';

/** Errors are counted each time but logged at most this often: a Redis outage must not flood the log. */
const ERROR_LOG_MS = 30_000;

export interface LinkHealthOptions {
  /** The store as shown in logs and status (no password). */
  readonly display: string;
  readonly instance: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly pendingCompletions: () => number;
  readonly remotePeerChanges: () => number;
}

/** Whether this instance shares with Redis right now, since when it does not, and what went wrong (for /stats). */
export class LinkHealth {
  /** null until the first exchange tells: then a start without Redis is logged as degraded too. */
  private connected: boolean | null = null;
  private degradedSince: number | null;
  private lastSyncAt: number | null = null;
  private errors = 0;
  private lastErrorLog = -Infinity;

  constructor(private readonly o: LinkHealthOptions) {
    this.degradedSince = o.clock.now();
  }

  noteError(err: unknown, msg: string): void {
    this.errors++;
    const now = this.o.clock.now();
    if (now - this.lastErrorLog < ERROR_LOG_MS) return;
    this.lastErrorLog = now;
    this.o.log.warn({ store: this.o.display, err: err instanceof Error ? err.message : String(err), errors: this.errors }, msg);
  }

  /** An exchange completed: peers and counts are shared again. */
  synced(): void {
    this.lastSyncAt = this.o.clock.now();
    this.setConnected(true);
  }

  setConnected(ok: boolean): void {
    if (ok === this.connected) return;
    this.connected = ok;
    const { display: store, instance, clock, log } = this.o;
    if (ok) {
      const degradedMs = this.degradedSince === null ? 0 : clock.now() - this.degradedSince;
      log.info(
        { store, instance, pendingCompletions: this.o.pendingCompletions(), degradedMs },
        'redis store connected: swarms and counts shared',
      );
      this.degradedSince = null;
    } else {
      this.degradedSince ??= clock.now();
      log.warn({ store, instance }, "redis store unreachable: answering from this instance's memory and counting locally until it returns");
    }
  }

  status(): ClusterStatus {
    const { degradedSince, lastSyncAt } = this;
    return {
      store: this.o.display,
      instance: this.o.instance,
      connected: this.connected === true,
      degradedSince: degradedSince === null ? null : new Date(degradedSince).toISOString(),
      pendingCompletions: this.o.pendingCompletions(),
      lastSyncAt: lastSyncAt === null ? null : new Date(lastSyncAt).toISOString(),
      errors: this.errors,
      remotePeerChanges: this.o.remotePeerChanges(),
    };
  }
}
