/** Display formatting, fixed to en-US and UTC so pages do not depend on the server's locale. */

const COUNT = new Intl.NumberFormat('en-US');
const LONG_DATE = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' });
const DAY_MS = 86_400_000;

export function formatCount(n: number): string {
  return COUNT.format(n);
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;

/** 1536 -> "1.5 KiB"; three significant digits at most. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '?';
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const digits = u === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${String(Number(v.toFixed(digits)))} ${UNITS[u]}`;
}

/** "December 1, 2010" from an epoch-ms or ISO string; '' when not a date. */
export function formatLongDate(when: number | string): string {
  const d = new Date(when);
  return Number.isNaN(d.getTime()) ? '' : LONG_DATE.format(d);
}

/** "2024-05-01 12:34 UTC". */
export function formatDateTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** UTC calendar day "YYYY-MM-DD" of an epoch-ms time. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The `days` UTC days ending with the day of `endMs`, oldest first. */
export function lastDays(endMs: number, days: number): string[] {
  const end = Date.parse(`${utcDay(endMs)}T00:00:00Z`);
  return Array.from({ length: days }, (_, i) => utcDay(end - (days - 1 - i) * DAY_MS));
}
