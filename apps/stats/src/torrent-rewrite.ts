import bencode from 'bencode';

/**
 * Serve-time rewriting of a .torrent: the tracker URLs (`announce`, `announce-list`, BEP 12) and the web
 * seeds (`url-list`, BEP 19) live outside the `info` dict, so they can follow the site's current settings
 * without changing the info_hash. The `info` value is copied byte for byte from the file (never decoded and
 * re-encoded, which would change the hash of a torrent whose info dict is not in canonical form).
 */

export class TorrentRewriteError extends Error {
  override name = 'TorrentRewriteError';
}

/** Torrents above this are refused (the catalog ignores them too). */
export const MAX_TORRENT_BYTES = 16 * 1024 * 1024;
const MAX_DEPTH = 64;

const D = 0x64; // d
const L = 0x6c; // l
const I = 0x69; // i
const E = 0x65; // e
const COLON = 0x3a;

function fail(msg: string, at: number): never {
  throw new TorrentRewriteError(`not a bencoded torrent: ${msg} at byte ${at}`);
}

/** Reads `<len>:` at `at`; returns [start of the string bytes, end]. */
function stringSpan(buf: Uint8Array, at: number): [number, number] {
  let i = at;
  let len = 0;
  while (i < buf.length && buf[i]! >= 0x30 && buf[i]! <= 0x39) {
    len = len * 10 + (buf[i]! - 0x30);
    if (len > buf.length) fail('string longer than the file', at);
    i++;
  }
  if (i === at || buf[i] !== COLON) fail('bad string length', at);
  const start = i + 1;
  const end = start + len;
  if (end > buf.length) fail('string past the end', at);
  return [start, end];
}

/** Index just past the bencoded value starting at `at`. */
function skipValue(buf: Uint8Array, at: number, depth: number): number {
  if (depth > MAX_DEPTH) fail('nesting too deep', at);
  const c = buf[at];
  if (c === undefined) fail('unexpected end', at);
  if (c === I) {
    let i = at + 1;
    if (buf[i] === 0x2d) i++;
    const digits = i;
    while (i < buf.length && buf[i]! >= 0x30 && buf[i]! <= 0x39) i++;
    if (i === digits || buf[i] !== E) fail('bad integer', at);
    return i + 1;
  }
  if (c === L || c === D) {
    let i = at + 1;
    while (buf[i] !== E) {
      if (i >= buf.length) fail('unterminated list or dict', at);
      if (c === D) i = stringSpan(buf, i)[1];
      i = skipValue(buf, i, depth + 1);
    }
    return i + 1;
  }
  return stringSpan(buf, at)[1];
}

/** The top-level dict's entries as raw key bytes and raw value bytes, in file order. */
function topLevelEntries(buf: Uint8Array): Map<string, Uint8Array> {
  if (buf[0] !== D) fail('top level is not a dict', 0);
  const out = new Map<string, Uint8Array>();
  let i = 1;
  while (buf[i] !== E) {
    if (i >= buf.length) fail('unterminated dict', 0);
    const [ks, ke] = stringSpan(buf, i);
    const key = Buffer.from(buf.subarray(ks, ke)).toString('latin1');
    const end = skipValue(buf, ke, 1);
    if (out.has(key)) fail(`duplicate key ${JSON.stringify(key)}`, i);
    out.set(key, buf.subarray(ke, end));
    i = end;
  }
  if (i + 1 !== buf.length) fail('trailing bytes', i + 1);
  return out;
}

export interface TorrentUrls {
  /** Tracker tiers (BEP 12); the first URL of the first tier also becomes `announce`. */
  readonly announceTiers: readonly (readonly string[])[];
  /** BEP 19 web seeds; none removes `url-list`. */
  readonly webSeeds: readonly string[];
}

/**
 * A copy of `torrent` with announce, announce-list and url-list replaced by `urls`; every other key, and
 * the `info` bytes, unchanged. Throws TorrentRewriteError on anything that is not a torrent.
 */
export function rewriteTorrent(torrent: Uint8Array, urls: TorrentUrls): Uint8Array {
  if (torrent.length > MAX_TORRENT_BYTES) throw new TorrentRewriteError(`torrent larger than ${MAX_TORRENT_BYTES} bytes`);
  const entries = topLevelEntries(torrent);
  const info = entries.get('info');
  if (info === undefined || info[0] !== D) throw new TorrentRewriteError('not a torrent: no info dict');
  const tiers = urls.announceTiers.map((t) => [...t]).filter((t) => t.length > 0);
  entries.delete('announce');
  entries.delete('announce-list');
  entries.delete('url-list');
  const first = tiers[0]?.[0];
  if (first !== undefined) {
    entries.set('announce', bencode.encode(first));
    entries.set('announce-list', bencode.encode(tiers));
  }
  if (urls.webSeeds.length > 0) entries.set('url-list', bencode.encode([...urls.webSeeds]));
  // bencode wants keys sorted as raw byte strings
  const keys = [...entries.keys()].sort((a, b) => Buffer.compare(Buffer.from(a, 'latin1'), Buffer.from(b, 'latin1')));
  const parts: Uint8Array[] = [Buffer.from('d')];
  for (const k of keys) parts.push(Buffer.from(`${k.length}:${k}`, 'latin1'), entries.get(k)!);
  parts.push(Buffer.from('e'));
  return Buffer.concat(parts);
}

/** The raw bencoded `info` value of a torrent (what the info_hash is the SHA-1 of). */
export function rawInfo(torrent: Uint8Array): Uint8Array {
  const info = topLevelEntries(torrent).get('info');
  if (info === undefined || info[0] !== D) throw new TorrentRewriteError('not a torrent: no info dict');
  return info;
}
