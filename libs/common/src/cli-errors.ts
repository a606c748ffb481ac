/**
 * One wording for a mistake on the command line or in a config file, in every app:
 *   `unknown option --porrt (did you mean --port?)`
 * printed as `<app>: <message>` plus a pointer to --help on stderr, exit code 2 (bin/suite does not restart
 * on 2: a restart cannot fix a typo).
 */
export const USAGE_EXIT_CODE = 2;

/** Edit distance (insert, delete, substitute, swap of neighbours), capped: beyond `max` returns max + 1. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push(new Array<number>(b.length + 1).fill(0));
    rows[i]![0] = i;
  }
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    let rowMin = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > max) return max + 1;
  }
  return Math.min(rows[a.length]![b.length]!, max + 1);
}

/** The known name closest to `given` when it is close enough to be a typo (or a unique prefix); else null. */
export function closestName(given: string, known: readonly string[]): string | null {
  const bare = given.replace(/^-+/, '');
  // one or two letters (`-x`) are as close to every short flag as to any other: no guess
  if (given.length > 200 || bare.length < 3) return null;
  const max = Math.max(1, Math.min(3, Math.floor(bare.length / 3)));
  let best: string | null = null;
  let bestD = max + 1;
  for (const k of known) {
    const d = editDistance(given, k, max);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  if (best !== null) return best;
  const prefixed = known.filter((k) => given.length >= 4 && k.startsWith(given));
  return prefixed.length === 1 ? prefixed[0]! : null;
}

/** How a name typed by the user is shown: as is, unless it holds control characters or spaces. */
export function showName(name: string): string {
  return /^[\x21-\x7e]+$/.test(name) && name.length <= 200 ? name : JSON.stringify(name.slice(0, 200));
}

/** Shows a user-supplied value in an error message, quoted, without letting it forge extra lines. */
export function quote(value: string): string {
  const shown = value.length > 100 ? `${value.slice(0, 100)}...` : value;
  return /[\u0000-\u001f\u007f'\\]/.test(shown) ? JSON.stringify(shown) : `'${shown}'`;
}

/** `unknown option --porrt (did you mean --port?)`; `what` is "option" or "directive" (config files). */
export function unknownNameMessage(given: string, known: readonly string[], what = 'option'): string {
  const hint = closestName(given, known);
  return `unknown ${what} ${showName(given)}${hint === null ? '' : ` (did you mean ${hint}?)`}`;
}

/** The text an app prints on stderr before exiting with USAGE_EXIT_CODE. */
export function usageErrorText(app: string, message: string): string {
  return `${app}: ${message}\nRun '${app} --help' for the options.\n`;
}
