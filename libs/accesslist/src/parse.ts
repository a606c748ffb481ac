/**
 * opentracker's access-list format (`ot_accesslist.c`), reproduced exactly and made talkative:
 * a line is an entry only if it STARTS with exactly 40 hex digits (either case) followed by a
 * non-hex character or the end of the file; whatever follows is a free comment. Blank lines and
 * lines whose first non-blank character is '#' are comments. Everything else is ignored, as
 * opentracker does, but reported so an operator can see why a hash is refused (leading
 * whitespace and 41-digit hashes are the usual culprits).
 */
import { hexValue as hexDigit } from '../../protocol/src/bin-key.js';

export interface IgnoredLine {
  /** 1-based line number. */
  readonly line: number;
  /** The line, trimmed and cut to 80 characters, for log messages. */
  readonly text: string;
}

export interface ParsedAccessList {
  /** 20-character binary keys: `Buffer.from(hex, 'hex').toString('latin1')`. */
  readonly hashes: Set<string>;
  readonly ignored: IgnoredLine[];
}

const IGNORED_TEXT_MAX = 80;
const HASH_HEX_LENGTH = 40;
const CR = 13;
const HASH_SIGN = 35;
const BOM = 0xfeff;

/** Value of a hex digit's char code, or -1: a table lookup instead of a regex per line. */
const HEX_VALUE = new Int8Array(128).map((_, c) => hexDigit(c));

function hexValue(code: number): number {
  return code < 128 ? (HEX_VALUE[code] as number) : -1;
}

/**
 * True when `text` holds an access-list entry at `start`: 40 hex digits, then a non-hex
 * character or the end of the text. Line ends are non-hex, so the digits never cross a line.
 */
export function hasHashAt(text: string, start: number): boolean {
  const end = start + HASH_HEX_LENGTH;
  if (end > text.length) return false;
  for (let i = start; i < end; i++) if (hexValue(text.charCodeAt(i)) < 0) return false;
  return end === text.length || hexValue(text.charCodeAt(end)) < 0;
}

const keyCodes: number[] = new Array<number>(20).fill(0);

/**
 * The 20-byte latin1 key of the entry at `start`, or null if there is none. Validates and decodes
 * in one pass (this loop is most of the parse time for big lists, next to Set insertion).
 */
function keyAt(text: string, start: number): string | null {
  const end = start + HASH_HEX_LENGTH;
  if (end > text.length) return null;
  for (let b = 0; b < 20; b++) {
    const hi = hexValue(text.charCodeAt(start + 2 * b));
    const lo = hexValue(text.charCodeAt(start + 2 * b + 1));
    if ((hi | lo) < 0) return null;
    keyCodes[b] = (hi << 4) | lo;
  }
  if (end < text.length && hexValue(text.charCodeAt(end)) >= 0) return null;
  return String.fromCharCode.apply(null, keyCodes);
}

function isBlankOrComment(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 11 || c === 12 || c === CR) continue;
    return c === HASH_SIGN;
  }
  return true;
}

/** Parses an access-list file's text. Never throws; bad lines land in `ignored`. */
export function parseAccessList(text: string): ParsedAccessList {
  const hashes = new Set<string>();
  const ignored: IgnoredLine[] = [];
  let start = text.charCodeAt(0) === BOM ? 1 : 0;
  let line = 0;
  while (start < text.length) {
    line++;
    let end = text.indexOf('\n', start);
    const next = end < 0 ? text.length : end + 1;
    if (end < 0) end = text.length;
    const key = keyAt(text, start);
    if (key !== null) {
      hashes.add(key);
    } else if (!isBlankOrComment(text, start, end)) {
      ignored.push({ line, text: text.slice(start, end).trim().slice(0, IGNORED_TEXT_MAX) });
    }
    start = next;
  }
  return { hashes, ignored };
}
