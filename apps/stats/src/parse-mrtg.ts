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
  /** opentracker's random per-start id (`mode=everything`); null when unknown or 0. */
  readonly trackerId?: string | null;
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

/**
 * opentracker's `/stats?mode=everything` XML: `<tracker_id>` is drawn at each start from a generator seeded
 * with the start second, so a change says "restarted" however soon the counter climbed again; `<uptime>` and
 * `<completed><count>` as above.
 * Null when the text is not that document. Never throws.
 */
export function parseEverythingMode(text: string): TrackerClock | null {
  const head = text.slice(0, 64 * 1024);
  const id = /<tracker_id>(\d{1,20})<\/tracker_id>/.exec(head);
  const up = /<uptime>(\d{1,16})<\/uptime>/.exec(head);
  const done = /<completed>\s*<count>(\d{1,16})<\/count>/.exec(head);
  if (!up || !done) return null;
  const uptimeSeconds = Number(up[1]);
  const completedSinceStart = Number(done[1]);
  if (!Number.isSafeInteger(uptimeSeconds) || !Number.isSafeInteger(completedSinceStart)) return null;
  return { uptimeSeconds, completedSinceStart, trackerId: id && id[1] !== '0' ? id[1]! : null };
}

/** The `mode=everything` URL next to the configured stats URL. */
export function everythingModeUrl(statsUrl: string): string {
  const u = new URL(statsUrl);
  u.search = '?mode=everything';
  return u.toString();
}
