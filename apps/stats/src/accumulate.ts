/**
 * Reset-safe download totals. The tracker's per-torrent counter lives in memory and restarts from 0
 * when the tracker restarts (or forgets an idle torrent), so we keep the last raw value we saw and add
 * only what is new. When the raw value drops, the counter restarted: everything it shows is new.
 * A restart whose new count climbs past the old one between two polls cannot be seen from the
 * counter alone and is under-counted by the old value; polling often keeps that window small.
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

/** `prev` undefined means first observation: the whole raw count is new. */
export function accumulate(prev: Counter | undefined, raw: number): Accumulated {
  if (!Number.isSafeInteger(raw) || raw < 0) throw new RangeError(`raw counter must be a non-negative integer, got ${raw}`);
  if (prev === undefined) return { last: raw, total: raw, delta: raw };
  const delta = raw >= prev.last ? raw - prev.last : raw;
  return { last: raw, total: prev.total + delta, delta };
}
