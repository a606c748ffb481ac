/**
 * Single-pass scanner over a raw URL query (the part of `req.url` after '?').
 *
 * Express and URLSearchParams decode percent-escapes as UTF-8, which destroys binary info_hash and
 * peer_id values (WHATWG URL spec, application/x-www-form-urlencoded parsing: bytes that are not UTF-8
 * become U+FFFD), so this module works on the raw query and decodes escapes to bytes.
 * Node's HTTP parser hands `req.url` over as latin1, so a raw non-ASCII byte is one char <= 0xFF; a char
 * above 0xFF can only come from a caller bug and is refused like a bad escape.
 *
 * The scanner never splits the query: a cursor records the raw name and value ranges of one parameter at
 * a time, so unknown parameters cost a scan and nothing else, and only values a decoder asks for are
 * decoded. Names are compared in place; only a name that itself holds '%' or '+' is decoded (slow path).
 * '+' decodes to a space (form encoding); clients percent-encode binary values, so a literal '+' byte
 * arrives as %2B.
 */
import { key20At, hexValue, type BinKey } from './bin-key.js';
import { ProtocolError, type ProtocolErrorCode } from './errors.js';

const AMP = 0x26;
const EQ = 0x3d;
const PCT = 0x25;
const PLUS = 0x2b;

/** Raw ranges of the current parameter. Create with openQuery, advance with nextParam. */
export interface QueryCursor {
  readonly query: string;
  /** Where the next parameter starts. */
  pos: number;
  nameStart: number;
  nameEnd: number;
  valueStart: number;
  valueEnd: number;
  /** The decoded name, set only when the raw name holds '%' or '+'; otherwise null. */
  decodedName: string | null;
  /** nameHash() of the raw name, computed while scanning it, so callers can dispatch without compares. */
  nameHash: number;
}

/** The hash nextParam computes over a raw name (31-multiplier, 32-bit). Collisions are possible: confirm with nameIs. */
export function nameHash(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (Math.imul(h, 31) + name.charCodeAt(i)) | 0;
  return h;
}

export function openQuery(query: string): QueryCursor {
  return { query, pos: 0, nameStart: 0, nameEnd: 0, valueStart: 0, valueEnd: 0, decodedName: null, nameHash: 0 };
}

/**
 * Advance to the next non-empty parameter; false at the end. A parameter without '=' has an empty value.
 * Names are scanned char by char (not with indexOf('=')), so a query of many '='-less parameters stays
 * linear. Throws BAD_ESCAPE for a malformed escape in a name.
 */
export function nextParam(c: QueryCursor): boolean {
  const q = c.query;
  const n = q.length;
  let i = c.pos;
  while (i < n && q.charCodeAt(i) === AMP) i++;
  if (i >= n) {
    c.pos = n;
    return false;
  }
  const nameStart = i;
  let escaped = false;
  let h = 0;
  for (; i < n; i++) {
    const ch = q.charCodeAt(i);
    if (ch === AMP || ch === EQ) break;
    // a char above 0xFF goes through the decoder too, which refuses it like a bad escape
    if (ch === PCT || ch === PLUS || ch > 0xff) escaped = true;
    h = (Math.imul(h, 31) + ch) | 0;
  }
  c.nameHash = h;
  c.nameStart = nameStart;
  c.nameEnd = i;
  if (i < n && q.charCodeAt(i) === EQ) {
    const amp = q.indexOf('&', i + 1);
    c.valueStart = i + 1;
    c.valueEnd = amp < 0 ? n : amp;
  } else {
    c.valueStart = i;
    c.valueEnd = i;
  }
  c.pos = c.valueEnd + 1;
  c.decodedName = escaped ? decodeLatin1(q, nameStart, i) : null;
  return true;
}

/** Does the current parameter's (decoded) name equal `name`? */
export function nameIs(c: QueryCursor, name: string): boolean {
  if (c.decodedName !== null) return c.decodedName === name;
  return c.nameEnd - c.nameStart === name.length && rangeIs(c.query, c.nameStart, name);
}

/** Do the chars of `q` at `start` equal `lit` (the caller has checked the length)? */
export function rangeIs(q: string, start: number, lit: string): boolean {
  for (let k = 0; k < lit.length; k++) if (q.charCodeAt(start + k) !== lit.charCodeAt(k)) return false;
  return true;
}

/** Hex digit values for chars 0-255, -1 for the rest: one load instead of range compares per digit. */
const HEX = new Int8Array(256).map((_, c) => hexValue(c));

/**
 * Percent-decode q[start, end) into `out`. Returns the byte count, or -1 as soon as more than `max`
 * bytes would be written (the rest is not examined). Throws BAD_ESCAPE for '%' not followed by two hex
 * digits inside the range, and for chars above 0xFF.
 */
export function decodeInto(q: string, start: number, end: number, out: Uint8Array, max: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    let ch = q.charCodeAt(i);
    if (ch === PCT) {
      if (i + 2 >= end) throw new ProtocolError('BAD_ESCAPE');
      const c1 = q.charCodeAt(i + 1);
      const c2 = q.charCodeAt(i + 2);
      const hi = c1 < 256 ? HEX[c1]! : -1;
      const lo = c2 < 256 ? HEX[c2]! : -1;
      if ((hi | lo) < 0) throw new ProtocolError('BAD_ESCAPE');
      ch = (hi << 4) | lo;
      i += 2;
    } else if (ch === PLUS) {
      ch = 0x20;
    } else if (ch > 0xff) {
      throw new ProtocolError('BAD_ESCAPE');
    }
    if (n === max) return -1;
    out[n++] = ch;
  }
  return n;
}

/** Scratch space for values that end up as strings; the module is synchronous, so one buffer serves all. */
const SCRATCH = new Uint8Array(256);

/**
 * Percent-decoded q[start, end) as a fresh, flat latin1 string, or null if it is longer than `max` bytes.
 * (Fresh matters: a slice of the query could keep the whole request URL alive inside a stored value.)
 */
export function decodeLatin1(q: string, start: number, end: number, max = Infinity): string | null {
  const cap = Math.min(max, end - start);
  if (cap <= SCRATCH.length) {
    const n = decodeInto(q, start, end, SCRATCH, cap);
    if (n < 0) return null;
    if (n > 32) return Buffer.from(SCRATCH.buffer, 0, n).toString('latin1');
    // Short values (event names, keys): a plain array through apply is the cheapest flat string on Node 20.
    const codes = new Array<number>(n);
    for (let k = 0; k < n; k++) codes[k] = SCRATCH[k]!;
    return String.fromCharCode.apply(null, codes);
  }
  // A plain Uint8Array, as everywhere: decodeInto stays monomorphic (a Buffer has another hidden class).
  const bytes = new Uint8Array(cap);
  const n = decodeInto(q, start, end, bytes, cap);
  return n < 0 ? null : Buffer.from(bytes.buffer, 0, n).toString('latin1');
}

/** The current value as a binary key of exactly 20 bytes; otherwise throws ProtocolError(code). */
export function valueKey20(c: QueryCursor, code: ProtocolErrorCode): BinKey {
  if (decodeInto(c.query, c.valueStart, c.valueEnd, SCRATCH, 20) !== 20) throw new ProtocolError(code);
  return key20At(SCRATCH, 0);
}

/** The current value, decoded, as a fresh latin1 string of at most `max` bytes; otherwise throws ProtocolError(code). */
export function valueLatin1(c: QueryCursor, max: number, code: ProtocolErrorCode): string {
  const s = decodeLatin1(c.query, c.valueStart, c.valueEnd, max);
  if (s === null) throw new ProtocolError(code);
  return s;
}

/**
 * The current value as text for comparisons (decoded), or null if longer than `max` bytes. Returns the raw
 * slice when there is nothing to decode, so do not store the result.
 */
export function valueText(c: QueryCursor, max: number): string | null {
  const q = c.query;
  for (let i = c.valueStart; i < c.valueEnd; i++) {
    const ch = q.charCodeAt(i);
    if (ch === PCT || ch === PLUS || ch > 0xff) return decodeLatin1(q, c.valueStart, c.valueEnd, max);
  }
  return c.valueEnd - c.valueStart > max ? null : q.slice(c.valueStart, c.valueEnd);
}

/** The current value, decoded, as bytes (a fresh Buffer). For the general-purpose parseQuery, not the hot path. */
export function valueBytes(c: QueryCursor): Buffer {
  const bytes = new Uint8Array(c.valueEnd - c.valueStart);
  return Buffer.from(bytes.buffer, 0, decodeInto(c.query, c.valueStart, c.valueEnd, bytes, bytes.length));
}

const UINT64_MAX_DIGITS = '18446744073709551615';

/**
 * Unsigned decimal at q[start, end) that fits 64 bits, as a number (approximate above 2^53: callers only
 * distinguish 0, small counts and "large"). Leading zeros are allowed. -1 if it is not one.
 */
export function parseUint64(q: string, start: number, end: number): number {
  if (start >= end) return -1;
  while (start < end - 1 && q.charCodeAt(start) === 0x30) start++;
  const len = end - start;
  if (len > 20) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const d = q.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  if (len === 20 && q.slice(start, end) > UINT64_MAX_DIGITS) return -1;
  return v;
}

/** The current value as an unsigned 64-bit decimal; otherwise throws ProtocolError(code). */
export function valueUint64(c: QueryCursor, code: ProtocolErrorCode): number {
  const v = parseUint64(c.query, c.valueStart, c.valueEnd);
  if (v >= 0) return v;
  // Slow path: a client that percent-encodes digits.
  const s = valueText(c, 64);
  const w = s === null ? -1 : parseUint64(s, 0, s.length);
  if (w < 0) throw new ProtocolError(code);
  return w;
}

/**
 * The current value as a signed decimal: a number >= 0, or null for any negative value (so "-1", the
 * usual "no preference", and "-0" both mean "not given"). Throws ProtocolError(code) if it is not one.
 */
export function valueSignedOrNull(c: QueryCursor, code: ProtocolErrorCode): number | null {
  let s: string | null = c.query;
  let start = c.valueStart;
  let end = c.valueEnd;
  for (let i = start; i < end; i++) {
    const ch = s.charCodeAt(i);
    if (ch === PCT || ch === PLUS) {
      s = valueText(c, 64);
      if (s === null) throw new ProtocolError(code);
      start = 0;
      end = s.length;
      break;
    }
  }
  const negative = start < end && s.charCodeAt(start) === 0x2d;
  const v = parseUint64(s, negative ? start + 1 : start, end);
  if (v < 0) throw new ProtocolError(code);
  return negative ? null : v;
}

/**
 * General-purpose query parser for cold paths (e.g. a stats page): every parameter, names decoded as
 * latin1, values as bytes, in order. Throws TOO_MANY_REPEATS when a name occurs more than `maxRepeats`
 * times, and BAD_ESCAPE for malformed escapes anywhere.
 */
export function parseQuery(rawQuery: string, maxRepeats: number): Map<string, Buffer[]> {
  const out = new Map<string, Buffer[]>();
  const c = openQuery(rawQuery);
  while (nextParam(c)) {
    const name = c.decodedName ?? rawQuery.slice(c.nameStart, c.nameEnd);
    const list = out.get(name);
    if (list === undefined) {
      out.set(name, [valueBytes(c)]);
    } else {
      if (list.length >= maxRepeats) throw new ProtocolError('TOO_MANY_REPEATS');
      list.push(valueBytes(c));
    }
  }
  return out;
}
