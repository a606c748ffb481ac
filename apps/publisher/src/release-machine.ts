/**
 * The life of one release (one top-level entry of releases/), as a pure state machine: events in, actions out,
 * time passed in. The caller (release-queue.ts) runs the actions (scan, hash, commit, arm a timer) and feeds the
 * results back as events. No I/O and no clock here, so every path is unit-tested without a watcher.
 *
 * The rule it enforces: a release is hashed only after it has been quiet (no watcher event, no change of any
 * file's size/mtime/ctime/inode, no file added or removed) for `quietMs`, seen by two scans at least `recheckMs`
 * apart; and the result is committed only if a scan after hashing finds exactly the stamp that was hashed.
 * A copy that pauses longer than a second therefore waits; a copy that resumes during hashing is discarded.
 */

/** What a scan saw, reduced to what the machine decides on. `S` is the caller's full scan result. */
export type Snapshot<S> =
  | { readonly kind: 'release'; readonly stamp: string; readonly changedAtMs: number; readonly state: S }
  | { readonly kind: 'missing' | 'refused'; readonly state: S };

export interface MachineSettings {
  /** How long a release must stay unchanged before it is hashed. */
  readonly quietMs: number;
  /** Minimum gap between the two scans that must agree (guards against file times from a skewed clock). */
  readonly recheckMs: number;
  /** After a watcher event, wait this long for sibling events (a folder being copied) before looking. */
  readonly debounceMs: number;
  readonly retryMinMs: number;
  readonly retryMaxMs: number;
  /** --once: a failure is not retried. */
  readonly once: boolean;
}

export type Phase = 'idle' | 'waiting' | 'scanning' | 'hashing' | 'verifying' | 'committing';

export interface MachineState<S> {
  readonly phase: Phase;
  /** Last release scan and when it was taken; two equal stamps `recheckMs` apart are needed to go on. */
  readonly last: { readonly stamp: string; readonly at: number } | null;
  /** Latest change we observed ourselves (watcher event, stamp change between scans, change during hashing). */
  readonly observedChangeAt: number;
  /** The snapshot being hashed or verified. */
  readonly hashing: Extract<Snapshot<S>, { kind: 'release' }> | null;
  /** A watcher event arrived while a step was running: look again when it ends. */
  readonly dirty: boolean;
  readonly retryMs: number;
}

export type MachineEvent<S> =
  /** First look (startup scan, or a release in the manifest): no change was observed, just look soon. */
  | { readonly type: 'look'; readonly now: number }
  /** A watcher event for a path of this release. */
  | { readonly type: 'changed'; readonly now: number }
  | { readonly type: 'timer'; readonly now: number }
  | { readonly type: 'scanned'; readonly now: number; readonly snap: Snapshot<S> }
  /** The hash step ended: `reused` = already published as is, nothing hashed (no verify needed). */
  | { readonly type: 'hashed'; readonly now: number; readonly reused: boolean }
  | { readonly type: 'hashFailed'; readonly now: number; readonly reason: 'changed' | 'unreadable' | 'error' }
  | { readonly type: 'verified'; readonly now: number; readonly snap: Snapshot<S> }
  | { readonly type: 'committed'; readonly now: number }
  /** A scan, verify or commit threw (EIO, EACCES on a folder, ENOSPC…): retried with a growing delay. */
  | { readonly type: 'stepFailed'; readonly now: number };

export type MachineAction<S> =
  | { readonly type: 'arm'; readonly ms: number }
  | { readonly type: 'scan' }
  | { readonly type: 'hash'; readonly snap: Extract<Snapshot<S>, { kind: 'release' }> }
  /** A scan after hashing: the caller answers with `verified`. */
  | { readonly type: 'verify' }
  | { readonly type: 'publish'; readonly snap: Extract<Snapshot<S>, { kind: 'release' }> }
  /** The release is missing or not publishable: mark its live manifest entries removed. */
  | { readonly type: 'gone'; readonly snap: Extract<Snapshot<S>, { kind: 'missing' | 'refused' }>; readonly duringHash: boolean }
  /** The hashed result was thrown away because the release changed; it waits again. */
  | { readonly type: 'discarded'; readonly waitMs: number }
  /** A step failed; `retryInMs` null means not retried (until the next change). */
  | { readonly type: 'failed'; readonly reason: 'unreadable' | 'error'; readonly retryInMs: number | null }
  /** Nothing left to do for this release: the caller may forget it. */
  | { readonly type: 'done' };

export interface Step<S> {
  readonly state: MachineState<S>;
  readonly actions: readonly MachineAction<S>[];
}

export function initialState<S>(): MachineState<S> {
  return { phase: 'idle', last: null, observedChangeAt: Number.NEGATIVE_INFINITY, hashing: null, dirty: false, retryMs: 0 };
}

const BUSY: readonly Phase[] = ['scanning', 'hashing', 'verifying', 'committing'];

/** Advances one release by one event. Events that do not fit the phase (a stale timer) change nothing. */
export function step<S>(st: MachineState<S>, ev: MachineEvent<S>, cfg: MachineSettings): Step<S> {
  const same: Step<S> = { state: st, actions: [] };
  switch (ev.type) {
    case 'look':
    case 'changed':
      return onChange(st, ev, cfg);
    case 'timer':
      if (st.phase !== 'waiting') return same;
      return { state: { ...st, phase: 'scanning', dirty: false }, actions: [{ type: 'scan' }] };
    case 'scanned':
      if (st.phase !== 'scanning') return same;
      return onScanned(st, ev, cfg);
    case 'hashed':
      if (st.phase !== 'hashing') return same;
      if (ev.reused) return finish({ ...st, hashing: null }, cfg);
      return { state: { ...st, phase: 'verifying' }, actions: [{ type: 'verify' }] };
    case 'hashFailed':
      if (st.phase !== 'hashing') return same;
      return onHashFailed(st, ev, cfg);
    case 'verified':
      if (st.phase !== 'verifying' || st.hashing === null) return same;
      return onVerified(st, st.hashing, ev, cfg);
    case 'committed':
      if (st.phase !== 'committing') return same;
      return finish(st, cfg);
    case 'stepFailed':
      if (!BUSY.includes(st.phase)) return same;
      return fail({ ...st, hashing: null }, cfg);
  }
}

/** Waits `ms` (a timer the caller arms), after the `extra` actions. */
function wait<S>(s: MachineState<S>, ms: number, extra: MachineAction<S>[] = []): Step<S> {
  return { state: { ...s, phase: 'waiting' }, actions: [...extra, { type: 'arm', ms: Math.max(0, Math.ceil(ms)) }] };
}

function onChange<S>(st: MachineState<S>, ev: Extract<MachineEvent<S>, { type: 'look' | 'changed' }>, cfg: MachineSettings): Step<S> {
  const s = ev.type === 'changed' ? { ...st, observedChangeAt: Math.max(st.observedChangeAt, ev.now) } : st;
  if (BUSY.includes(st.phase)) return { state: { ...s, dirty: true }, actions: [] };
  // 'look' never delays a timer already armed (a retry or a quiet wait): it only starts an idle release.
  if (ev.type === 'look' && st.phase === 'waiting') return { state: st, actions: [] };
  return wait(s, ev.type === 'look' ? 0 : cfg.debounceMs);
}

function onScanned<S>(st: MachineState<S>, ev: Extract<MachineEvent<S>, { type: 'scanned' }>, cfg: MachineSettings): Step<S> {
  const snap = ev.snap;
  if (snap.kind !== 'release') {
    return { state: { ...st, phase: 'committing', last: null }, actions: [{ type: 'gone', snap, duringHash: false }] };
  }
  const agreed = st.last !== null && st.last.stamp === snap.stamp && ev.now - st.last.at >= cfg.recheckMs;
  const observed = st.last !== null && st.last.stamp !== snap.stamp ? ev.now : st.observedChangeAt;
  const s: MachineState<S> = {
    ...st,
    observedChangeAt: observed,
    // Keep the first time this stamp was seen: the recheck gap is measured from it.
    last: st.last !== null && st.last.stamp === snap.stamp ? st.last : { stamp: snap.stamp, at: ev.now },
  };
  const quietFor = ev.now - Math.max(snap.changedAtMs, s.observedChangeAt);
  const remaining = cfg.quietMs - quietFor;
  if (!agreed) return wait(s, Math.max(cfg.recheckMs, remaining));
  if (remaining > 0) return wait(s, remaining);
  return { state: { ...s, phase: 'hashing', hashing: snap }, actions: [{ type: 'hash', snap }] };
}

function onHashFailed<S>(st: MachineState<S>, ev: Extract<MachineEvent<S>, { type: 'hashFailed' }>, cfg: MachineSettings): Step<S> {
  const s = { ...st, hashing: null };
  if (ev.reason === 'changed') {
    return wait({ ...s, observedChangeAt: ev.now, last: null }, cfg.quietMs, [{ type: 'discarded', waitMs: cfg.quietMs }]);
  }
  if (ev.reason === 'unreadable') {
    // Skipped until it changes: the next watcher event starts it again.
    return {
      state: { ...s, phase: 'idle', dirty: false },
      actions: [{ type: 'failed', reason: 'unreadable', retryInMs: null }, { type: 'done' }],
    };
  }
  return fail(s, cfg);
}

function onVerified<S>(
  st: MachineState<S>,
  hashed: Extract<Snapshot<S>, { kind: 'release' }>,
  ev: Extract<MachineEvent<S>, { type: 'verified' }>,
  cfg: MachineSettings,
): Step<S> {
  const snap = ev.snap;
  if (snap.kind !== 'release') {
    return { state: { ...st, phase: 'committing', hashing: null, last: null }, actions: [{ type: 'gone', snap, duringHash: true }] };
  }
  if (snap.stamp !== hashed.stamp) {
    const s = { ...st, hashing: null, observedChangeAt: ev.now, last: { stamp: snap.stamp, at: ev.now } };
    return wait(s, cfg.quietMs, [{ type: 'discarded', waitMs: cfg.quietMs }]);
  }
  return { state: { ...st, phase: 'committing', hashing: null }, actions: [{ type: 'publish', snap: hashed }] };
}

function finish<S>(st: MachineState<S>, cfg: MachineSettings): Step<S> {
  const s = { ...st, retryMs: 0 };
  if (st.dirty) return { state: { ...s, phase: 'waiting', dirty: false }, actions: [{ type: 'arm', ms: cfg.debounceMs }] };
  return { state: { ...s, phase: 'idle' }, actions: [{ type: 'done' }] };
}

function fail<S>(st: MachineState<S>, cfg: MachineSettings): Step<S> {
  if (cfg.once)
    return {
      state: { ...st, phase: 'idle', dirty: false },
      actions: [{ type: 'failed', reason: 'error', retryInMs: null }, { type: 'done' }],
    };
  const retryMs = Math.min(cfg.retryMaxMs, Math.max(cfg.retryMinMs, st.retryMs * 2));
  return {
    state: { ...st, phase: 'waiting', dirty: false, retryMs },
    actions: [
      { type: 'failed', reason: 'error', retryInMs: retryMs },
      { type: 'arm', ms: retryMs },
    ],
  };
}

/** True while the release has work scheduled or running (the publisher is not idle). */
export function isBusy(st: MachineState<unknown>): boolean {
  return st.phase !== 'idle';
}
