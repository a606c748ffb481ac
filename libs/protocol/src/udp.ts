/**
 * BEP 15 UDP tracker codec: request decoder and reply encoders. All integers are big-endian.
 *
 * Requests
 *   connect   0 u64 protocol_id = 0x41727101980   8 u32 action = 0   12 u32 transaction_id        (16 bytes)
 *   announce  0 u64 connection_id   8 u32 action = 1   12 u32 transaction_id
 *             16 info_hash[20]   36 peer_id[20]   56 u64 downloaded   64 u64 left   72 u64 uploaded
 *             80 u32 event   84 u32 ip (ignored)   88 u32 key   92 i32 num_want   96 u16 port      (98 bytes,
 *             then optional BEP 41 options, ignored)
 *   scrape    0 u64 connection_id   8 u32 action = 2   12 u32 transaction_id   16 info_hash[20] * n
 * Replies
 *   connect   0 u32 action = 0   4 u32 transaction_id   8 u64 connection_id                         (16 bytes)
 *   announce  0 u32 action = 1   4 u32 transaction_id   8 u32 interval   12 u32 leechers   16 u32 seeders
 *             20 peers: 6 bytes each (IPv4 + port) or 18 bytes each (IPv6 + port)
 *   scrape    0 u32 action = 2   4 u32 transaction_id   8 + 12i: u32 seeders, u32 completed, u32 leechers
 *   error     0 u32 action = 3   4 u32 transaction_id   8 message (UTF-8, no NUL: opentracker's NUL is a bug)
 *
 * decodeUdpRequest returns null for datagrams that get no answer (as opentracker, ot_udp.c; BEP 15): shorter than 16
 * bytes, connect with a wrong magic, action 3 or unknown, announce shorter than 98 bytes, scrape without
 * one whole hash. It does not check connection ids (connection-id.ts does, with the sender's address),
 * and it returns port 0 as is: the caller answers with an error reply (BAD_PORT) rather than silence.
 */
import { key20At, type BinKey } from './bin-key.js';
import type { AnnounceEvent } from './announce-request.js';

export const UDP_PROTOCOL_ID_HI = 0x417;
export const UDP_PROTOCOL_ID_LO = 0x27101980;
export const UDP_ACTION_CONNECT = 0;
export const UDP_ACTION_ANNOUNCE = 1;
export const UDP_ACTION_SCRAPE = 2;
export const UDP_ACTION_ERROR = 3;
export const UDP_ANNOUNCE_MIN_BYTES = 98;
/** Hashes answered per scrape; the reply is then at most 8 + 74 * 12 = 896 bytes. */
export const UDP_MAX_SCRAPE_HASHES = 74;

export interface UdpConnectRequest {
  action: 0;
  transactionId: number;
}

export interface UdpAnnounceRequest {
  action: 1;
  /** 8-byte view into the datagram (not a copy). */
  connectionId: Buffer;
  transactionId: number;
  infoHash: BinKey;
  peerId: BinKey;
  /** 64-bit fields, exact up to 2^53. */
  downloaded: number;
  left: number;
  uploaded: number;
  /** Values other than 0-3 are read as 0 (none). */
  event: AnnounceEvent;
  key: number;
  /** null when negative (-1 is "default"); not capped here. */
  numWant: number | null;
  /** 0 is returned as is; refusing it is the caller's job. */
  port: number;
}

export interface UdpScrapeRequest {
  action: 2;
  connectionId: Buffer;
  transactionId: number;
  /** Whole 20-byte hashes only, at most UDP_MAX_SCRAPE_HASHES; a trailing partial hash is ignored. */
  infoHashes: BinKey[];
}

export type UdpRequest = UdpConnectRequest | UdpAnnounceRequest | UdpScrapeRequest;

/** Big-endian reads without Buffer#readUInt32BE's argument checks; callers have checked the length. */
function u32(m: Uint8Array, off: number): number {
  return m[off]! * 0x100_0000 + ((m[off + 1]! << 16) | (m[off + 2]! << 8) | m[off + 3]!);
}

function u64(m: Uint8Array, off: number): number {
  return u32(m, off) * 0x1_0000_0000 + u32(m, off + 4);
}

/** Decode one datagram; null means "drop without answering". */
export function decodeUdpRequest(msg: Buffer): UdpRequest | null {
  if (msg.length < 16) return null;
  const action = u32(msg, 8);
  const transactionId = u32(msg, 12);
  switch (action) {
    case UDP_ACTION_CONNECT:
      if (u32(msg, 0) !== UDP_PROTOCOL_ID_HI || u32(msg, 4) !== UDP_PROTOCOL_ID_LO) return null;
      return { action: 0, transactionId };
    case UDP_ACTION_ANNOUNCE: {
      if (msg.length < UDP_ANNOUNCE_MIN_BYTES) return null;
      const event = u32(msg, 80);
      const numWant = u32(msg, 92) | 0;
      return {
        action: 1,
        connectionId: msg.subarray(0, 8),
        transactionId,
        infoHash: key20At(msg, 16),
        peerId: key20At(msg, 36),
        downloaded: u64(msg, 56),
        left: u64(msg, 64),
        uploaded: u64(msg, 72),
        event: event <= 3 ? (event as AnnounceEvent) : 0,
        key: u32(msg, 88),
        numWant: numWant < 0 ? null : numWant,
        port: (msg[96]! << 8) | msg[97]!,
      };
    }
    case UDP_ACTION_SCRAPE: {
      const n = Math.min(Math.floor((msg.length - 16) / 20), UDP_MAX_SCRAPE_HASHES);
      if (n === 0) return null;
      const infoHashes = new Array<BinKey>(n);
      for (let i = 0; i < n; i++) infoHashes[i] = key20At(msg, 16 + 20 * i);
      return { action: 2, connectionId: msg.subarray(0, 8), transactionId, infoHashes };
    }
    default:
      return null;
  }
}

export function encodeConnectReply(transactionId: number, connectionId: Uint8Array): Buffer {
  if (connectionId.length !== 8) throw new RangeError('connection id must be 8 bytes');
  const buf = Buffer.allocUnsafe(16);
  buf.writeUInt32BE(UDP_ACTION_CONNECT, 0);
  buf.writeUInt32BE(transactionId, 4);
  buf.set(connectionId, 8);
  return buf;
}

/** `peers` is compact: 6 bytes per IPv4 peer, or 18 per IPv6 peer when answering over IPv6. */
export function encodeAnnounceReply(transactionId: number, interval: number, leechers: number, seeders: number, peers: Uint8Array): Buffer {
  const buf = Buffer.allocUnsafe(20 + peers.length);
  buf.writeUInt32BE(UDP_ACTION_ANNOUNCE, 0);
  buf.writeUInt32BE(transactionId, 4);
  buf.writeUInt32BE(interval, 8);
  buf.writeUInt32BE(leechers, 12);
  buf.writeUInt32BE(seeders, 16);
  buf.set(peers, 20);
  return buf;
}

export interface UdpScrapeRow {
  seeders: number;
  completed: number;
  leechers: number;
}

/** One row per requested hash, in request order (zeros for unknown torrents). */
export function encodeScrapeReply(transactionId: number, rows: ReadonlyArray<UdpScrapeRow>): Buffer {
  const buf = Buffer.allocUnsafe(8 + 12 * rows.length);
  buf.writeUInt32BE(UDP_ACTION_SCRAPE, 0);
  buf.writeUInt32BE(transactionId, 4);
  let off = 8;
  for (const r of rows) {
    buf.writeUInt32BE(r.seeders, off);
    buf.writeUInt32BE(r.completed, off + 4);
    buf.writeUInt32BE(r.leechers, off + 8);
    off += 12;
  }
  return buf;
}

export function encodeErrorReply(transactionId: number, message: string): Buffer {
  const len = Buffer.byteLength(message, 'utf8');
  const buf = Buffer.allocUnsafe(8 + len);
  buf.writeUInt32BE(UDP_ACTION_ERROR, 0);
  buf.writeUInt32BE(transactionId, 4);
  buf.write(message, 8, len, 'utf8');
  return buf;
}
