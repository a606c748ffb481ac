import type { Tracker } from './tracker.js';

/**
 * `GET /health` for load balancers and monitors (open to everyone, like /announce: it says nothing an
 * announce would not). 200 while this instance answers announces; `degraded` when it answers from its own
 * memory only (the shared store is unreachable) or has counts it could not write to disk yet.
 * 503 never means "down" here: a tracker that can answer this can answer announces.
 */
export interface Health {
  readonly ok: true;
  readonly degraded: boolean;
  readonly store: string;
  readonly storeConnected: boolean | null;
  /** Completions counted but not yet on disk (memory store) or not yet acknowledged by the shared store. */
  readonly pendingCompletions: number;
}

export function healthOf(tracker: Tracker): Health {
  const cluster = tracker.cluster?.status() ?? null;
  if (cluster === null) {
    const pending = tracker.completions?.status().pending ?? 0;
    return { ok: true, degraded: pending > 0, store: 'memory', storeConnected: null, pendingCompletions: pending };
  }
  // with a shared store the journal's pending entries are the ones the store has not acknowledged yet
  return {
    ok: true,
    degraded: !cluster.connected,
    // the kind only: the store's address is for stats clients (/stats), not for the public
    store: cluster.store.slice(0, Math.max(0, cluster.store.indexOf(':'))) || 'redis',
    storeConnected: cluster.connected,
    pendingCompletions: cluster.pendingCompletions,
  };
}
