/**
 * Edits to an access-list file's text, for the publisher ("append + reload"). Pure: the caller
 * reads the file, applies one of these, and writes the result atomically (temp file + rename).
 * Every line that is not the one being added or removed is kept byte for byte, including
 * comments, a UTF-8 BOM, CRLF line ends and lines opentracker would ignore.
 */
import { hasHashAt } from './parse.js';

const HEX40 = /^[0-9a-fA-F]{40}$/;
const COMMENT_MAX = 200;
const BOM = '\uFEFF';

function checkHash(hexHash: string): string {
  if (typeof hexHash !== 'string' || !HEX40.test(hexHash)) {
    throw new Error(`not a 40-digit hex info_hash: ${JSON.stringify(String(hexHash).slice(0, 60))}`);
  }
  return hexHash.toLowerCase();
}

/** One line of free text: control and line-separator characters become spaces, runs collapse. */
export function sanitizeComment(comment: string): string {
  return comment
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, COMMENT_MAX)
    .trim();
}

/** Calls `visit` for each line: `start` is where an entry would begin, `end` is after the terminator. */
function forEachLine(text: string, visit: (start: number, end: number) => void): void {
  let start = text.startsWith(BOM) ? BOM.length : 0;
  while (start < text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl < 0 ? text.length : nl + 1;
    visit(start, end);
    start = end;
  }
}

function entryAt(text: string, start: number): string | null {
  return hasHashAt(text, start) ? text.slice(start, start + 40).toLowerCase() : null;
}

/** True when the text has an entry (as opentracker reads it) for the hash, in any case. */
export function accessListHas(text: string, hexHash: string): boolean {
  const hash = checkHash(hexHash);
  let found = false;
  forEachLine(text, (start) => {
    if (!found && entryAt(text, start) === hash) found = true;
  });
  return found;
}

/**
 * Appends `<hash> <comment>` (hash in lower case) unless the hash is already listed. Keeps the
 * file's line-end style (CRLF if its first line ends so) and adds a missing final newline first,
 * so the new entry never fuses with the last line. Throws on a malformed hash.
 */
export function addToAccessList(text: string, hexHash: string, comment: string): string {
  const hash = checkHash(hexHash);
  if (accessListHas(text, hash)) return text;
  const firstNl = text.indexOf('\n');
  const eol = firstNl > 0 && text[firstNl - 1] === '\r' ? '\r\n' : '\n';
  let prefix = text;
  if (prefix.endsWith('\r')) prefix += '\n';
  else if (prefix !== '' && !prefix.endsWith('\n')) prefix += eol;
  const note = sanitizeComment(comment);
  return `${prefix}${note ? `${hash} ${note}` : hash}${eol}`;
}

/** Removes every entry line whose leading hash matches (any case); all other lines stay. */
export function removeFromAccessList(text: string, hexHash: string): string {
  const hash = checkHash(hexHash);
  const kept: string[] = [];
  let last = 0;
  forEachLine(text, (start, end) => {
    if (entryAt(text, start) === hash) {
      kept.push(text.slice(last, start));
      last = end;
    }
  });
  if (last === 0) return text;
  kept.push(text.slice(last));
  return kept.join('');
}
