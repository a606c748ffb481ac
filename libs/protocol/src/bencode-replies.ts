/**
 * Hand-written bencode for the tracker's HTTP replies. Each encoder measures the reply first, then writes
 * it into one Buffer, so a reply costs one allocation and no intermediate strings or concat.
 * Output is byte-for-byte what the `bencode` package produces for the same dictionary (keys in sorted
 * order, which is also opentracker's order), as the unit tests check.
 *
 *   announce  d8:completei<S>e10:downloadedi<D>e10:incompletei<L>e8:intervali<I>e12:min intervali<M>e
 *             5:peers<6n>:<compact v4>[6:peers6<18n>:<compact v6>]e
 *   stopped   d8:completei<S>e10:incompletei<L>e8:intervali<I>e12:min intervali<M>e5:peers0:e
 *   failure   d14:failure reason<len>:<utf-8 text>e
 *   scrape    d5:filesd(20:<hash>d8:completei<S>e10:downloadedi<D>e10:incompletei<L>ee)*e
 *             [5:flagsd20:min_request_intervali<N>ee]e
 *
 * Integers must be safe integers (a programmer error otherwise: RangeError).
 */
import type { BinKey } from './bin-key.js';

export interface AnnounceReply {
  complete: number;
  downloaded: number;
  incomplete: number;
  interval: number;
  minInterval: number;
  /** Compact IPv4 peers, 6 bytes each. */
  peers: Uint8Array;
  /** Compact IPv6 peers, 18 bytes each; the key is left out when null. */
  peers6: Uint8Array | null;
}

export interface StoppedReply {
  complete: number;
  incomplete: number;
  interval: number;
  minInterval: number;
}

export interface DictPeer {
  ip: string;
  port: number;
}

export interface AnnounceDictReply extends Omit<AnnounceReply, 'peers' | 'peers6'> {
  /** BEP 3 dictionary peers (compact=0), IPv4 and IPv6 together; no peer id is sent. */
  peers: ReadonlyArray<DictPeer>;
}

export interface ScrapeFile {
  infoHash: BinKey;
  complete: number;
  downloaded: number;
  incomplete: number;
}

export interface ScrapeExtra {
  /** BEP 48 `flags.min_request_interval`, in seconds. */
  minRequestInterval?: number;
}

function intLength(n: number): number {
  if (!Number.isSafeInteger(n)) throw new RangeError(`bencode: not a safe integer: ${n}`);
  let len = n < 0 ? 2 : 1;
  let v = n < 0 ? -n : n;
  while (v >= 10) {
    v = Math.floor(v / 10);
    len++;
  }
  return len;
}

/** Decimal digits of a safe integer; returns the new offset. */
function putInt(buf: Uint8Array, off: number, n: number, len: number): number {
  let v = n;
  if (v < 0) {
    buf[off] = 0x2d;
    v = -v;
  }
  let i = off + len;
  do {
    buf[--i] = 0x30 + (v % 10);
    v = Math.floor(v / 10);
  } while (v > 0);
  return off + len;
}

/** ASCII/latin1 text, one byte per char (JS loop: cheaper than a native call for these short literals). */
function putText(buf: Uint8Array, off: number, s: string): number {
  for (let k = 0; k < s.length; k++) buf[off + k] = s.charCodeAt(k);
  return off + s.length;
}

/** `i<n>e` size. */
function intItemLength(n: number): number {
  return intLength(n) + 2;
}

function putIntItem(buf: Uint8Array, off: number, n: number): number {
  buf[off] = 0x69;
  off = putInt(buf, off + 1, n, intLength(n));
  buf[off] = 0x65;
  return off + 1;
}

/** `<len>:` + bytes size. */
function bytesItemLength(byteLength: number): number {
  return intLength(byteLength) + 1 + byteLength;
}

function putBytesItem(buf: Uint8Array, off: number, bytes: Uint8Array): number {
  off = putInt(buf, off, bytes.length, intLength(bytes.length));
  buf[off++] = 0x3a;
  buf.set(bytes, off);
  return off + bytes.length;
}

const K_COMPLETE = '8:complete';
const K_DOWNLOADED = '10:downloaded';
const K_INCOMPLETE = '10:incomplete';
const K_INTERVAL = '8:interval';
const K_MIN_INTERVAL = '12:min interval';
const K_PEERS = '5:peers';
const K_PEERS6 = '6:peers6';

function countersLength(r: StoppedReply, downloaded: number | null): number {
  return (
    K_COMPLETE.length +
    intItemLength(r.complete) +
    (downloaded === null ? 0 : K_DOWNLOADED.length + intItemLength(downloaded)) +
    K_INCOMPLETE.length +
    intItemLength(r.incomplete) +
    K_INTERVAL.length +
    intItemLength(r.interval) +
    K_MIN_INTERVAL.length +
    intItemLength(r.minInterval)
  );
}

function putCounters(buf: Buffer, off: number, r: StoppedReply, downloaded: number | null): number {
  off = putIntItem(buf, putText(buf, off, K_COMPLETE), r.complete);
  if (downloaded !== null) off = putIntItem(buf, putText(buf, off, K_DOWNLOADED), downloaded);
  off = putIntItem(buf, putText(buf, off, K_INCOMPLETE), r.incomplete);
  off = putIntItem(buf, putText(buf, off, K_INTERVAL), r.interval);
  return putIntItem(buf, putText(buf, off, K_MIN_INTERVAL), r.minInterval);
}

/** Successful compact announce reply. */
export function encodeAnnounce(r: AnnounceReply): Buffer {
  const size =
    2 +
    countersLength(r, r.downloaded) +
    K_PEERS.length +
    bytesItemLength(r.peers.length) +
    (r.peers6 === null ? 0 : K_PEERS6.length + bytesItemLength(r.peers6.length));
  const buf = Buffer.allocUnsafe(size);
  buf[0] = 0x64;
  let off = putCounters(buf, 1, r, r.downloaded);
  off = putBytesItem(buf, putText(buf, off, K_PEERS), r.peers);
  if (r.peers6 !== null) off = putBytesItem(buf, putText(buf, off, K_PEERS6), r.peers6);
  buf[off] = 0x65;
  return buf;
}

/** Reply to event=stopped: no `downloaded` key and an empty peer list, as opentracker sends. */
export function encodeAnnounceStopped(r: StoppedReply): Buffer {
  const size = 2 + countersLength(r, null) + K_PEERS.length + 2;
  const buf = Buffer.allocUnsafe(size);
  buf[0] = 0x64;
  let off = putCounters(buf, 1, r, null);
  off = putText(buf, off, K_PEERS);
  off = putText(buf, off, '0:e');
  return buf;
}

/** Announce reply with a BEP 3 dictionary peer list (compact=0): `5:peersl(d2:ip<len>:<ip>4:porti<port>ee)*e`. */
export function encodeAnnounceDict(r: AnnounceDictReply): Buffer {
  let size = 2 + countersLength(r, r.downloaded) + K_PEERS.length + 2;
  const ipLengths = new Array<number>(r.peers.length);
  for (let i = 0; i < r.peers.length; i++) {
    const p = r.peers[i]!;
    const ipLen = Buffer.byteLength(p.ip, 'utf8');
    ipLengths[i] = ipLen;
    size += 2 + '2:ip'.length + bytesItemLength(ipLen) + '4:port'.length + intItemLength(p.port);
  }
  const buf = Buffer.allocUnsafe(size);
  buf[0] = 0x64;
  let off = putCounters(buf, 1, r, r.downloaded);
  off = putText(buf, off, K_PEERS);
  buf[off++] = 0x6c;
  for (let i = 0; i < r.peers.length; i++) {
    const p = r.peers[i]!;
    const ipLen = ipLengths[i]!;
    off = putText(buf, off, 'd2:ip');
    off = putInt(buf, off, ipLen, intLength(ipLen));
    buf[off++] = 0x3a;
    off += buf.write(p.ip, off, ipLen, 'utf8');
    off = putIntItem(buf, putText(buf, off, '4:port'), p.port);
    buf[off++] = 0x65;
  }
  buf[off++] = 0x65;
  buf[off] = 0x65;
  return buf;
}

/** `d14:failure reason<len>:<text>e`, the text as UTF-8. */
export function encodeFailure(reason: string): Buffer {
  const len = Buffer.byteLength(reason, 'utf8');
  const prefix = 'd14:failure reason';
  const buf = Buffer.allocUnsafe(prefix.length + intLength(len) + 1 + len + 1);
  let off = putText(buf, 0, prefix);
  off = putInt(buf, off, len, intLength(len));
  buf[off++] = 0x3a;
  off += buf.write(reason, off, len, 'utf8');
  buf[off] = 0x65;
  return buf;
}

/**
 * Scrape reply. Files are written in raw byte order of their info_hash (JS string order on latin1 keys),
 * whatever order they come in, and a repeated info_hash is written once (its first row), so the
 * dictionary is always valid bencode. No files -> `d5:filesdee`.
 */
export function encodeScrape(files: ReadonlyArray<ScrapeFile>, extra: ScrapeExtra = {}): Buffer {
  let ordered = files;
  for (let i = 1; i < files.length; i++) {
    if (!(files[i - 1]!.infoHash < files[i]!.infoHash)) {
      // Stable sort keeps the first of equal hashes first, so "first row wins" below.
      ordered = [...files].sort((a, b) => (a.infoHash < b.infoHash ? -1 : a.infoHash > b.infoHash ? 1 : 0));
      break;
    }
  }
  let size = 'd5:filesd'.length + 2;
  let prev: string | null = null;
  for (const f of ordered) {
    if (f.infoHash === prev) continue;
    prev = f.infoHash;
    size +=
      bytesItemLength(f.infoHash.length) +
      2 +
      K_COMPLETE.length +
      intItemLength(f.complete) +
      K_DOWNLOADED.length +
      intItemLength(f.downloaded) +
      K_INCOMPLETE.length +
      intItemLength(f.incomplete);
  }
  const mri = extra.minRequestInterval;
  if (mri !== undefined) size += '5:flagsd20:min_request_interval'.length + intItemLength(mri) + 1;

  const buf = Buffer.allocUnsafe(size);
  let off = putText(buf, 0, 'd5:filesd');
  prev = null;
  for (const f of ordered) {
    if (f.infoHash === prev) continue;
    prev = f.infoHash;
    off = putInt(buf, off, f.infoHash.length, intLength(f.infoHash.length));
    buf[off++] = 0x3a;
    off = putText(buf, off, f.infoHash);
    buf[off++] = 0x64;
    off = putIntItem(buf, putText(buf, off, K_COMPLETE), f.complete);
    off = putIntItem(buf, putText(buf, off, K_DOWNLOADED), f.downloaded);
    off = putIntItem(buf, putText(buf, off, K_INCOMPLETE), f.incomplete);
    buf[off++] = 0x65;
  }
  buf[off++] = 0x65;
  if (mri !== undefined) {
    off = putIntItem(buf, putText(buf, off, '5:flagsd20:min_request_interval'), mri);
    buf[off++] = 0x65;
  }
  buf[off] = 0x65;
  return buf;
}
