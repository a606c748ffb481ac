/**
 * Whether a reloaded whitelist lost so much that it is more likely an accident (a truncated copy, an empty file
 * saved by a failing script) than an edit: applying it would drop the peers of every delisted torrent at once.
 */

/** Refused when the reload removes more than this share of the listed hashes… */
export const MAX_LOSS_FRACTION = 0.5;
/** …and more than this many (pruning a short list is an edit, not an accident). */
export const MAX_LOSS_COUNT = 10;

export interface ShrinkVerdict {
  /** Hashes listed before and missing now. */
  readonly lost: number;
  readonly refuse: boolean;
}

export function judgeShrink(before: ReadonlySet<string>, after: ReadonlySet<string>): ShrinkVerdict {
  let lost = 0;
  for (const key of before) if (!after.has(key)) lost++;
  return { lost, refuse: lost > MAX_LOSS_COUNT && lost > before.size * MAX_LOSS_FRACTION };
}
