/**
 * Binary keys: an info_hash or peer_id is held as a 20-char 'latin1' string, one char per byte.
 * Strings hash and compare natively in Map/Set, so this is the cheapest key V8 offers, and JS string
 * order (`<`) on such strings is raw byte order, which bencode dictionaries need.
 */
import { ProtocolError } from './errors.js';

export type BinKey = string;

/** Length in bytes of an info_hash or a peer_id. */
export const KEY_BYTES = 20;

const HEX_DIGITS = '0123456789abcdef';

/** Lower-case hex of a binary key (or any latin1 string). */
export function binToHex(key: BinKey): string {
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    out += HEX_DIGITS[c >> 4]! + HEX_DIGITS[c & 15]!;
  }
  return out;
}

/** Value of one hex digit, or -1. Shared with the query decoder. */
export function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/**
 * Binary key from hex (either case). Throws ProtocolError BAD_HEX unless `hex` is an even number of
 * hex digits and, when `bytes` is given, exactly that many bytes long.
 */
export function hexToBin(hex: string, bytes: number | null = KEY_BYTES): BinKey {
  if (hex.length % 2 !== 0 || (bytes !== null && hex.length !== bytes * 2)) throw new ProtocolError('BAD_HEX');
  let out = '';
  for (let i = 0; i < hex.length; i += 2) {
    const hi = hexValue(hex.charCodeAt(i));
    const lo = hexValue(hex.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) throw new ProtocolError('BAD_HEX');
    out += String.fromCharCode((hi << 4) | lo);
  }
  return out;
}

/**
 * The key of a 40-digit hex info_hash (either case), for keys read back from files (state, journal).
 * Throws an Error that quotes the bad text, for the operator's log.
 */
export function hexToKey(hex: string): BinKey {
  if (typeof hex === 'string' && hex.length === KEY_BYTES * 2) {
    try {
      return hexToBin(hex);
    } catch {
      // falls through to the message below
    }
  }
  throw new Error(`not a 40-digit hex info_hash: ${JSON.stringify(String(hex).slice(0, 60))}`);
}

/**
 * 20-byte key at `off` in `bytes`, as a latin1 string. Spelled out as one 20-argument call because that
 * is several times faster than Buffer#toString('latin1') or String.fromCharCode.apply on Node 20.
 */
export function key20At(b: Uint8Array, off: number): BinKey {
  return String.fromCharCode(
    b[off]!,
    b[off + 1]!,
    b[off + 2]!,
    b[off + 3]!,
    b[off + 4]!,
    b[off + 5]!,
    b[off + 6]!,
    b[off + 7]!,
    b[off + 8]!,
    b[off + 9]!,
    b[off + 10]!,
    b[off + 11]!,
    b[off + 12]!,
    b[off + 13]!,
    b[off + 14]!,
    b[off + 15]!,
    b[off + 16]!,
    b[off + 17]!,
    b[off + 18]!,
    b[off + 19]!,
  );
}
