/**
 * Download totals from a tracker's per-torrent counters (opentracker, or ours with the feed turned off).
 * Those counters live in memory and restart from 0 when the tracker restarts (or forgets an idle
 * torrent), so we keep the last raw value we saw and add only what is new. Whether a lower or higher raw
 * value is new depends on whether the tracker restarted in between, which the tracker's uptime tells
 * (see trackerRestart); without it, a drop is the only sign.
 */
export interface Counter {
  /** Last raw value the tracker reported. */
  readonly last: number;
  /** Downloads counted so far; never decreases. */
  readonly total: number;
}

export interface Accumulated extends Counter {
  /** What this observation added to the total. */
  readonly delta: number;
}

/**
 * What happened to the tracker since the previous poll:
 * - `same`: same process; a drop means it forgot the torrent and counts it again from 0.
 * - `fresh`: restarted from zero; every raw count is new, even one above the old value.
 * - `restored`: restarted and reloaded older counts (a state file); only what exceeds our last value
 *   can be new. This under-counts the completions between the saved state and the restart rather
 *   than counting the restored ones twice.
 * - `unknown`: no uptime available; a drop is taken for a restart from zero.
 */
export type CounterEpoch = 'same' | 'fresh' | 'restored' | 'unknown';

/** `prev` undefined means first observation: the whole raw count is new. */
export function accumulate(prev: Counter | undefined, raw: number, epoch: CounterEpoch = 'unknown'): Accumulated {
  if (!Number.isSafeInteger(raw) || raw < 0) throw new RangeError(`raw counter must be a non-negative integer, got ${raw}`);
  if (prev === undefined) return { last: raw, total: raw, delta: raw };
  let delta: number;
  if (epoch === 'fresh') delta = raw;
  else if (epoch === 'restored') delta = Math.max(0, raw - prev.last);
  else delta = raw >= prev.last ? raw - prev.last : raw;
  return { last: raw, total: prev.total + delta, delta };
}

/** One reading of the tracker's `mode=completed`: when we read it, its uptime, its completions since start. */
export interface ClockReading {
  readonly at: number;
  readonly uptimeSeconds: number;
  readonly completedSinceStart: number;
  /** A per-start random id (opentracker's tracker_id), when the tracker has one. */
  readonly trackerId?: string | null;
}

/**
 * Uptime is whole seconds and a poll takes time, so two readings of one process may put its start up
 * to ~1 s apart; a restart moves it by at least the time the tracker was down plus the time since.
 */
export const START_TOLERANCE_MS = 1_500;

/**
 * Did the tracker restart between two readings? A changed per-start id (opentracker's tracker_id) says so.
 * Otherwise: the estimated start time (reading time minus uptime)
 * moves forward on a restart, even when the page was down meanwhile or a counter climbed past its old
 * value; a drop of completions-since-start says so too. Both clocks are this machine's or close to it,
 * and a wall-clock step moves both the same way.
 */
export function trackerRestarted(prev: ClockReading | null, cur: ClockReading | null): boolean | null {
  if (prev === null || cur === null) return null;
  const prevId = prev.trackerId ?? null;
  const curId = cur.trackerId ?? null;
  // opentracker seeds its id from the start second: a different id is a restart, the same id is only a hint.
  if (prevId !== null && curId !== null && prevId !== curId) return true;
  if (cur.completedSinceStart < prev.completedSinceStart) return true;
  const prevStart = prev.at - prev.uptimeSeconds * 1000;
  const curStart = cur.at - cur.uptimeSeconds * 1000;
  return curStart - prevStart > START_TOLERANCE_MS;
}

/**
 * The epoch of a poll. After a restart, a tracker that counted from zero shows per-torrent counts summing
 * to at most its completions since start; a larger sum means it restored counts from a file.
 */
export function counterEpoch(prev: ClockReading | null, cur: ClockReading | null, sumOfRaw: number): CounterEpoch {
  const restarted = trackerRestarted(prev, cur);
  if (restarted === null) return 'unknown';
  if (!restarted) return 'same';
  return sumOfRaw > cur!.completedSinceStart ? 'restored' : 'fresh';
}
