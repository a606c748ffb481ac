import type { Logger } from '../../../libs/common/src/log.js';
import type { BuiltTorrent } from '../../../libs/torrent/src/index.js';
import type { ScannedRelease } from './hash-release.js';
import { initialState, isBusy, step, type MachineAction, type MachineEvent, type MachineSettings, type MachineState, type Snapshot } from './release-machine.js';
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
  return state.kind === 'release' ? { kind: 'release', stamp: state.stamp, changedAtMs: state.changedAtMs, state } : { kind: state.kind, state };
}

/**
 * Runs one state machine (release-machine.ts) per release: arms its timers, runs the I/O its actions ask for and
 * feeds the results back. Only one release is hashed at a time (memory, CPU); a release has at most one step
 * in flight. `afterStep` runs when a release settles (the whitelist is flushed there).
 */
export function createReleaseQueue(opts: {
  readonly settings: MachineSettings;
  readonly work: ReleaseWork;
  readonly log: Logger;
  readonly now: () => number;
  readonly signal: AbortSignal;
  readonly onFailure: () => void;
  readonly afterStep: () => void;
}): ReleaseQueue {
  const { settings, work, log, now, signal } = opts;
  const entries = new Map<string, Entry>();
  let hashChain: Promise<unknown> = Promise.resolve();

  const serialHash = <T>(fn: () => Promise<T>): Promise<T> => {
    const result = hashChain.then(fn);
    hashChain = result.catch(() => undefined);
    return result;
  };

  const entryOf = (key: string): Entry => {
    let e = entries.get(key);
    if (!e) {
      e = { st: initialState(), timer: null, running: null, built: null, lastError: null };
      entries.set(key, e);
    }
    return e;
  };

  const dispatch = (key: string, ev: MachineEvent<ReleaseState>): void => {
    if (signal.aborted) return;
    const e = entryOf(key);
    const next = step(e.st, ev, settings);
    e.st = next.state;
    for (const action of next.actions) perform(key, e, action);
  };

  /** From a timer or a finished step: a bug must not become an uncaught error that ends the whole suite. */
  const safeDispatch = (key: string, ev: MachineEvent<ReleaseState>): void => {
    try {
      dispatch(key, ev);
    } catch (err) {
      log.error({ release: key, ...errFields(err) }, 'internal error in the release queue; the release is looked at again on its next change');
      entries.delete(key);
    }
  };

  /** Runs one I/O step; its result (or failure) comes back as an event. */
  const run = (key: string, e: Entry, fn: () => Promise<MachineEvent<ReleaseState>>): void => {
    e.running = (async () => {
      let ev: MachineEvent<ReleaseState>;
      try {
        ev = await fn();
      } catch (err) {
        if (signal.aborted) return;
        e.lastError = err;
        ev = { type: 'stepFailed', now: now() };
      }
      e.running = null;
      safeDispatch(key, ev);
    })();
  };

  const perform = (key: string, e: Entry, a: MachineAction<ReleaseState>): void => {
    switch (a.type) {
      case 'arm':
        if (e.timer) clearTimeout(e.timer);
        e.timer = setTimeout(() => {
          e.timer = null;
          safeDispatch(key, { type: 'timer', now: now() });
        }, a.ms);
        return;
      case 'scan':
        run(key, e, async () => ({ type: 'scanned', now: now(), snap: snapshotOf(await work.scan(key)) }));
        return;
      case 'verify':
        run(key, e, async () => ({ type: 'verified', now: now(), snap: snapshotOf(await work.scan(key)) }));
        return;
      case 'hash': {
        const state = a.snap.state as ScannedRelease;
        for (const s of state.skipped) log.warn({ release: key, entry: s }, 'refused inside a folder release: only regular files are published, symlinks never');
        run(key, e, () => serialHash(async () => {
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
            return { type: 'hashFailed', now: now(), reason: code === 'EACCES' || code === 'EPERM' || code === 'EISDIR' ? 'unreadable' : 'error' };
          }
        }));
        return;
      }
      case 'publish': {
        const built = e.built;
        e.built = null;
        run(key, e, async () => {
          if (built === null) throw new Error('publish without a hashed torrent'); // the machine never asks for it
          await work.publish(key, a.snap.state as ScannedRelease, built.torrent, built.ms);
          return { type: 'committed', now: now() };
        });
        return;
      }
      case 'gone': {
        e.built = null;
        const state = a.snap.state as Exclude<ReleaseState, { kind: 'release' }>;
        if (a.duringHash) log.warn({ release: key }, 'release deleted during hashing; result dropped');
        if (state.kind === 'refused') log.warn({ release: key }, `refused: ${JSON.stringify(key)} ${state.reason}`);
        run(key, e, async () => {
          await work.gone(key, state);
          return { type: 'committed', now: now() };
        });
        return;
      }
      case 'discarded':
        e.built = null;
        log.warn({ release: key, waitMs: a.waitMs }, 'release changed during hashing; result discarded, re-hashing after it has been unchanged for the quiet period');
        return;
      case 'failed': {
        opts.onFailure();
        const err = e.lastError;
        e.lastError = null;
        if (a.reason === 'unreadable') {
          log.error({ release: key, ...errFields(err) }, 'cannot read the release; skipped until it changes');
        } else {
          const retry = a.retryInMs === null ? {} : { retryInMs: a.retryInMs };
          log.error({ release: key, ...errFields(err), ...retry }, a.retryInMs === null ? 'could not publish' : 'could not publish; will retry');
        }
        opts.afterStep();
        return;
      }
      case 'done':
        if (!e.timer && !e.running && !isBusy(e.st)) entries.delete(key);
        opts.afterStep();
        return;
    }
  };

  return {
    look: (key) => dispatch(key, { type: 'look', now: now() }),
    changed: (key) => dispatch(key, { type: 'changed', now: now() }),
    busy: () => [...entries.values()].some((e) => isBusy(e.st) || e.running !== null),
    async close() {
      for (const e of entries.values()) if (e.timer) clearTimeout(e.timer);
      await Promise.all([...entries.values()].map((e) => e.running?.catch(() => undefined)));
      entries.clear();
    },
  };
}
