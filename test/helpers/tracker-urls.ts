import crypto from 'node:crypto';
import bencode from 'bencode';

/** Building announce/scrape URLs byte by byte, and reading bencoded replies. */

/** Every byte as %XX (upper case), the way opentracker's golden transcript encodes hashes. */
export function pctEncode(buf: Uint8Array): string {
  let s = '';
  for (const b of buf) s += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  return s;
}

export function hexBytes(hex: string): Buffer {
  return Buffer.from(hex, 'hex');
}

export type ParamValue = string | number | bigint | Uint8Array;

/**
 * `/announce?info_hash=<hash>&...`. Strings go in raw (the caller escapes them, so hostile rows stay hostile);
 * byte arrays are %XX-encoded; numbers are written in decimal. Keys are kept in the given order.
 */
export function announceUrl(hashHex: string | null, params: Readonly<Record<string, ParamValue>> = {}, path = '/announce'): string {
  const parts: string[] = [];
  if (hashHex !== null) parts.push('info_hash=' + pctEncode(hexBytes(hashHex)));
  for (const [k, v] of Object.entries(params)) parts.push(`${k}=${encodeValue(v)}`);
  return `${path}?${parts.join('&')}`;
}

export function scrapeUrl(hashesHex: readonly string[], path = '/scrape'): string {
  return `${path}?${hashesHex.map((h) => 'info_hash=' + pctEncode(hexBytes(h))).join('&')}`;
}

function encodeValue(v: ParamValue): string {
  if (v instanceof Uint8Array) return pctEncode(v);
  return String(v);
}

/** A 20-byte peer id `-IT0001-` + 12 characters derived from the tag (printable, so logs stay readable). */
export function peerId(tag: string): Buffer {
  const s = ('-IT0001-' + tag + 'xxxxxxxxxxxx').slice(0, 20);
  return Buffer.from(s, 'latin1');
}

export function randomHashHex(): string {
  return crypto.randomBytes(20).toString('hex');
}

/** bencode 4: decode without an encoding argument (with 'utf8' it throws on dicts). */
export function bdecode(buf: Uint8Array): unknown {
  return bencode.decode(buf);
}

export function bencodeBytes(value: unknown): Buffer {
  return Buffer.from(bencode.encode(value));
}

export type BDict = Record<string, unknown>;

export function asDict(v: unknown, what = 'value'): BDict {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array || Array.isArray(v)) throw new Error(`${what} is not a dictionary`);
  return v as BDict;
}

export function bstr(v: unknown): string {
  if (!(v instanceof Uint8Array)) throw new Error('not a byte string');
  return Buffer.from(v).toString('latin1');
}

/** Top-level keys of a bencoded dictionary in wire order (bdecode returns an object, which hides order). */
export function bencodeKeys(buf: Buffer, start = 0): string[] {
  if (buf[start] !== 0x64) throw new Error('not a dictionary');
  const keys: string[] = [];
  let off = start + 1;
  while (buf[off] !== 0x65) {
    const [key, next] = readString(buf, off);
    keys.push(key.toString('latin1'));
    off = skipValue(buf, next);
  }
  return keys;
}

function readString(buf: Buffer, off: number): [Buffer, number] {
  const colon = buf.indexOf(0x3a, off);
  const len = Number(buf.toString('latin1', off, colon));
  return [buf.subarray(colon + 1, colon + 1 + len), colon + 1 + len];
}

function skipValue(buf: Buffer, off: number): number {
  const c = buf[off];
  if (c === 0x69) return buf.indexOf(0x65, off) + 1;
  if (c === 0x6c || c === 0x64) {
    let p = off + 1;
    while (buf[p] !== 0x65) {
      if (c === 0x64) p = readString(buf, p)[1];
      p = skipValue(buf, p);
    }
    return p + 1;
  }
  return readString(buf, off)[1];
}

/** Compact peers (6 bytes each) as "ip:port" strings. */
export function compactPeers(buf: Uint8Array): string[] {
  const out: string[] = [];
  for (let i = 0; i + 6 <= buf.length; i += 6)
    out.push(`${buf[i]}.${buf[i + 1]}.${buf[i + 2]}.${buf[i + 3]}:${(buf[i + 4]! << 8) | buf[i + 5]!}`);
  return out;
}

/** Compact IPv6 peers (18 bytes each) as "[ip]:port" strings, ip in full uncompressed hex groups. */
export function compactPeers6(buf: Uint8Array): string[] {
  const out: string[] = [];
  for (let i = 0; i + 18 <= buf.length; i += 18) {
    const groups: string[] = [];
    for (let g = 0; g < 8; g++) groups.push(((buf[i + 2 * g]! << 8) | buf[i + 2 * g + 1]!).toString(16));
    out.push(`[${groups.join(':')}]:${(buf[i + 16]! << 8) | buf[i + 17]!}`);
  }
  return out;
}

/** The `d8:completei..e...` announce reply decoded, with the peers as "ip:port" strings. */
export interface DecodedAnnounce {
  readonly raw: Buffer;
  readonly failure: string | null;
  readonly complete: number;
  readonly incomplete: number;
  readonly downloaded: number | null;
  readonly interval: number;
  readonly minInterval: number;
  readonly peers: string[];
  readonly peers6: string[];
}

export function parseAnnounce(body: Buffer): DecodedAnnounce {
  const d = asDict(bdecode(body), 'announce reply');
  const failure = d['failure reason'] === undefined ? null : bstr(d['failure reason']);
  const peersVal = d['peers'];
  let peers: string[] = [];
  if (peersVal instanceof Uint8Array) peers = compactPeers(peersVal);
  else if (Array.isArray(peersVal))
    peers = peersVal.map((p) => {
      const pd = asDict(p);
      return `${bstr(pd['ip'])}:${String(pd['port'])}`;
    });
  return {
    raw: body,
    failure,
    complete: Number(d['complete'] ?? NaN),
    incomplete: Number(d['incomplete'] ?? NaN),
    downloaded: d['downloaded'] === undefined ? null : Number(d['downloaded']),
    interval: Number(d['interval'] ?? NaN),
    minInterval: Number(d['min interval'] ?? NaN),
    peers,
    peers6: d['peers6'] instanceof Uint8Array ? compactPeers6(d['peers6']) : [],
  };
}

export interface ScrapeCounts {
  readonly complete: number;
  readonly downloaded: number;
  readonly incomplete: number;
}

/** files dictionary keyed by lower-case hex (keys are binary, so this uses the latin1 decoder below). */
export function parseScrape(body: Buffer): Map<string, ScrapeCounts> {
  const d = asDict(bdecodeLatin1(body), 'scrape reply');
  const files = asDict(d['files'], 'files');
  const out = new Map<string, ScrapeCounts>();
  for (const [k, v] of Object.entries(files)) {
    const row = asDict(v, 'scrape row');
    out.set(Buffer.from(k, 'latin1').toString('hex'), {
      complete: Number(row['complete']),
      downloaded: Number(row['downloaded']),
      incomplete: Number(row['incomplete']),
    });
  }
  return out;
}

/**
 * A strict bencode decoder whose dictionary keys are latin1 strings (one char per byte), because the
 * bencode package turns binary keys into UTF-8 text or hex depending on their bytes. Throws on any
 * malformed input or trailing bytes.
 */
export function bdecodeLatin1(buf: Buffer): unknown {
  const [v, end] = decodeAt(buf, 0);
  if (end !== buf.length) throw new Error(`trailing bytes after bencoded value at ${end}`);
  return v;
}

function decodeAt(buf: Buffer, off: number): [unknown, number] {
  const c = buf[off];
  if (c === undefined) throw new Error('unexpected end of bencoded data');
  if (c === 0x69) {
    const end = buf.indexOf(0x65, off);
    const text = buf.toString('latin1', off + 1, end);
    if (end < 0 || !/^(0|-?[1-9][0-9]*)$/.test(text)) throw new Error(`bad integer at ${off}`);
    return [Number(text), end + 1];
  }
  if (c === 0x6c) {
    const list: unknown[] = [];
    let p = off + 1;
    while (buf[p] !== 0x65) {
      const [v, next] = decodeAt(buf, p);
      list.push(v);
      p = next;
    }
    return [list, p + 1];
  }
  if (c === 0x64) {
    const dict: Record<string, unknown> = {};
    let p = off + 1;
    while (buf[p] !== 0x65) {
      const [k, afterKey] = decodeAt(buf, p);
      if (!(k instanceof Uint8Array)) throw new Error(`dictionary key at ${p} is not a string`);
      const key = Buffer.from(k).toString('latin1');
      if (Object.hasOwn(dict, key)) throw new Error(`duplicate dictionary key at ${p}`);
      const [v, next] = decodeAt(buf, afterKey);
      dict[key] = v;
      p = next;
    }
    return [dict, p + 1];
  }
  if (c >= 0x30 && c <= 0x39) {
    const colon = buf.indexOf(0x3a, off);
    const text = buf.toString('latin1', off, colon);
    if (colon < 0 || !/^(0|[1-9][0-9]*)$/.test(text)) throw new Error(`bad string length at ${off}`);
    const start = colon + 1;
    const end = start + Number(text);
    if (end > buf.length) throw new Error(`string at ${off} runs past the end`);
    return [buf.subarray(start, end), end];
  }
  throw new Error(`unexpected byte 0x${c.toString(16)} at ${off}`);
}

export const NOT_AUTHORIZED = 'Requested download is not authorized for use with this tracker.';
export const NOT_AUTHORIZED_BODY = `d14:failure reason63:${NOT_AUTHORIZED}e`;
export const MISSING_INFO_HASH = "Your client forgot to send your torrent's info_hash. Please upgrade your client.";
export const MISSING_INFO_HASH_BODY = `d14:failure reason80:${MISSING_INFO_HASH}e`;
