import type { Logger } from '../../../libs/common/src/log.js';
import type { BuiltTorrent } from '../../../libs/torrent/src/index.js';
import type { ScannedRelease } from './hash-release.js';
import {
  initialState,
  isBusy,
  step,
  type MachineAction,
  type MachineEvent,
  type MachineSettings,
  type MachineState,
  type Snapshot,
} from './release-machine.js';
import type { ReleaseState } from './release-scan.js';

/** The I/O a release needs; each call may throw (the machine then retries or gives up). */
export interface ReleaseWork {
  scan(key: string): Promise<ReleaseState>;
  /** Null when the release is already published from exactly these files (nothing to hash). */
  hash(key: string, state: ScannedRelease): Promise<BuiltTorrent | null>;
  publish(key: string, state: ScannedRelease, built: BuiltTorrent, ms: number): Promise<void>;
  /** The release is missing or not publishable (its live entries are marked removed). */
  gone(key: string, state: Exclude<ReleaseState, { kind: 'release' }>): Promise<void>;
}

export interface ReleaseQueue {
  /** Startup: look at a release soon, without counting it as a change. */
  look(key: string): void;
  /** A watcher event for a path of the release. */
  changed(key: string): void;
  /** Something is scheduled or running. */
  busy(): boolean;
  /** Stops timers and waits for the steps in flight (hashing is aborted through the caller's signal). */
  close(): Promise<void>;
}

interface Entry {
  st: MachineState<ReleaseState>;
  timer: NodeJS.Timeout | null;
  running: Promise<void> | null;
  built: { torrent: BuiltTorrent; ms: number } | null;
  lastError: unknown;
}

function errCode(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | null)?.code;
}

function errFields(err: unknown): { code: string | undefined; error: string } {
  return { code: errCode(err), error: err instanceof Error ? err.message : String(err) };
}

function snapshotOf(state: ReleaseState): Snapshot<ReleaseState> {
  return state.kind === 'release'
    ? { kind: 'release', stamp: state.stamp, changedAtMs: state.changedAtMs, state }
    : { kind: state.kind, state };
}

/**
 * Runs one state machine (release-machine.ts) per release: arms its timers, runs the I/O its actions ask for and
 * feeds the results back. Only one release is hashed at a time (memory, CPU); a release has at most one step
 * in flight. `afterStep` runs when a release settles (the whitelist is flushed there).
 */
export interface ReleaseQueueOptions {
  readonly settings: MachineSettings;
  readonly work: ReleaseWork;
  readonly log: Logger;
  readonly now: () => number;
  readonly signal: AbortSignal;
  readonly onFailure: () => void;
  readonly afterStep: () => void;
}

export function createReleaseQueue(opts: ReleaseQueueOptions): ReleaseQueue {
  return new Queue(opts);
}

class Queue implements ReleaseQueue {
  private readonly entries = new Map<string, Entry>();
  private hashChain: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: ReleaseQueueOptions) {}

  look(key: string): void {
    this.dispatch(key, { type: 'look', now: this.opts.now() });
  }

  changed(key: string): void {
    this.dispatch(key, { type: 'changed', now: this.opts.now() });
  }

  busy(): boolean {
    return [...this.entries.values()].some((e) => isBusy(e.st) || e.running !== null);
  }

  async close(): Promise<void> {
    for (const e of this.entries.values()) if (e.timer) clearTimeout(e.timer);
    await Promise.all([...this.entries.values()].map((e) => e.running?.catch(() => undefined)));
    this.entries.clear();
  }

  private entryOf(key: string): Entry {
    let e = this.entries.get(key);
    if (!e) {
      e = { st: initialState(), timer: null, running: null, built: null, lastError: null };
      this.entries.set(key, e);
    }
    return e;
  }

  private dispatch(key: string, ev: MachineEvent<ReleaseState>): void {
    if (this.opts.signal.aborted) return;
    const e = this.entryOf(key);
    const next = step(e.st, ev, this.opts.settings);
    e.st = next.state;
    for (const action of next.actions) this.perform(key, e, action);
  }

  /** From a timer or a finished step: a bug must not become an uncaught error that ends the whole suite. */
  private safeDispatch(key: string, ev: MachineEvent<ReleaseState>): void {
    try {
      this.dispatch(key, ev);
    } catch (err) {
      this.opts.log.error(
        { release: key, ...errFields(err) },
        'internal error in the release queue; the release is looked at again on its next change',
      );
      this.entries.delete(key);
    }
  }

  /** Runs one I/O step; its result (or failure) comes back as an event. */
  private run(key: string, e: Entry, fn: () => Promise<MachineEvent<ReleaseState>>): void {
    e.running = (async () => {
      let ev: MachineEvent<ReleaseState>;
      try {
        ev = await fn();
      } catch (err) {
        if (this.opts.signal.aborted) return;
        e.lastError = err;
        ev = { type: 'stepFailed', now: this.opts.now() };
      }
      e.running = null;
      this.safeDispatch(key, ev);
    })();
  }

  private perform(key: string, e: Entry, a: MachineAction<ReleaseState>): void {
    const { work, log, now } = this.opts;
    switch (a.type) {
      case 'arm':
        if (e.timer) clearTimeout(e.timer);
        e.timer = setTimeout(() => {
          e.timer = null;
          this.safeDispatch(key, { type: 'timer', now: now() });
        }, a.ms);
        return;
      case 'scan':
        return this.run(key, e, async () => ({ type: 'scanned', now: now(), snap: snapshotOf(await work.scan(key)) }));
      case 'verify':
        return this.run(key, e, async () => ({ type: 'verified', now: now(), snap: snapshotOf(await work.scan(key)) }));
      case 'hash':
        return this.hash(key, e, a.snap.state as ScannedRelease);
      case 'publish': {
        const built = e.built;
        e.built = null;
        return this.run(key, e, async () => {
          if (built === null) throw new Error('publish without a hashed torrent'); // the machine never asks for it
          await work.publish(key, a.snap.state as ScannedRelease, built.torrent, built.ms);
          return { type: 'committed', now: now() };
        });
      }
      case 'gone': {
        e.built = null;
        const state = a.snap.state as Exclude<ReleaseState, { kind: 'release' }>;
        if (a.duringHash) log.warn({ release: key }, 'release deleted during hashing; result dropped');
        if (state.kind === 'refused') log.warn({ release: key }, `refused: ${JSON.stringify(key)} ${state.reason}`);
        return this.run(key, e, async () => {
          await work.gone(key, state);
          return { type: 'committed', now: now() };
        });
      }
      case 'discarded':
        e.built = null;
        log.warn(
          { release: key, waitMs: a.waitMs },
          'release changed during hashing; result discarded, re-hashing after it has been unchanged for the quiet period',
        );
        return;
      case 'failed':
        return this.failed(key, e, a);
      case 'done':
        if (!e.timer && !e.running && !isBusy(e.st)) this.entries.delete(key);
        this.opts.afterStep();
        return;
    }
  }

  /** Hashes one release at a time (memory, CPU); classifies failures for the machine. */
  private hash(key: string, e: Entry, state: ScannedRelease): void {
    const { work, log, now, signal } = this.opts;
    for (const s of state.skipped)
      log.warn({ release: key, entry: s }, 'refused inside a folder release: only regular files are published, symlinks never');
    const task = async (): Promise<MachineEvent<ReleaseState>> => {
      const t0 = performance.now();
      try {
        const built = await work.hash(key, state);
        e.built = built === null ? null : { torrent: built, ms: performance.now() - t0 };
        return { type: 'hashed', now: now(), reused: built === null };
      } catch (err) {
        if (signal.aborted) throw err;
        const code = errCode(err);
        if (code === 'ENOENT' || code === 'EPAYLOADCHANGED') {
          log.warn({ release: key, code }, 'release changed or was deleted during hashing; looking again once it settles');
          return { type: 'hashFailed', now: now(), reason: 'changed' };
        }
        e.lastError = err;
        return {
          type: 'hashFailed',
          now: now(),
          reason: code === 'EACCES' || code === 'EPERM' || code === 'EISDIR' ? 'unreadable' : 'error',
        };
      }
    };
    const result = this.hashChain.then(task);
    this.hashChain = result.catch(() => undefined);
    this.run(key, e, () => result);
  }

  private failed(key: string, e: Entry, a: Extract<MachineAction<ReleaseState>, { type: 'failed' }>): void {
    this.opts.onFailure();
    const err = e.lastError;
    e.lastError = null;
    if (a.reason === 'unreadable') {
      this.opts.log.error({ release: key, ...errFields(err) }, 'cannot read the release; skipped until it changes');
    } else {
      const retry = a.retryInMs === null ? {} : { retryInMs: a.retryInMs };
      this.opts.log.error(
        { release: key, ...errFields(err), ...retry },
        a.retryInMs === null ? 'could not publish' : 'could not publish; will retry',
      );
    }
    this.opts.afterStep();
  }
}
