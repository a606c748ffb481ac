/**
 * opentracker's `/stats?mode=completed` (an "MRTG" mode): four lines,
 * `<completions since start>\n0\n<s> seconds (<h> hours)\nopentracker, <n> completed/h.`
 * The uptime tells the page that the tracker restarted (its counters then restarted from zero) even when
 * a counter climbed past its old value between two polls; the completions since start tell whether the
 * restarted tracker restored old counts from a state file.
 */
export interface TrackerClock {
  readonly completedSinceStart: number;
  readonly uptimeSeconds: number;
}

const SHAPE = /^(\d{1,16})\r?\n(\d{1,16})\r?\n(\d{1,16}) seconds \(\d{1,16} hours\)\r?\n/;

/** Null when the text is not that reply (another tracker, an error page). Never throws. */
export function parseCompletedMode(text: string): TrackerClock | null {
  const m = SHAPE.exec(text.slice(0, 200));
  if (!m) return null;
  const completedSinceStart = Number(m[1]);
  const uptimeSeconds = Number(m[3]);
  if (!Number.isSafeInteger(completedSinceStart) || !Number.isSafeInteger(uptimeSeconds)) return null;
  return { completedSinceStart, uptimeSeconds };
}

/** The `mode=completed` URL next to the configured stats URL. */
export function completedModeUrl(statsUrl: string): string {
  const u = new URL(statsUrl);
  u.search = '?mode=completed';
  return u.toString();
}
