/**
 * The synthetic swarm every bench phase shares. Peer k of torrent t has port 20000 + k and a peer_id of
 * "-BN0001-" followed by 12 bytes of xorshift32 seeded from (t, k): the same derivation as
 * ../shared/bench (udpgen.c, tracker.lua) and as bench/wrk-announce.lua, so HTTP and UDP loads re-announce
 * the preloaded peers instead of growing the swarm. Every 4th peer is a seeder.
 */
import { createHash } from 'node:crypto';

export const PEER_PORT_BASE = 20000;
const PEER_PREFIX = Buffer.from('-BN0001-', 'latin1');

function xorshift32(x: number): number {
  x ^= x << 13;
  x >>>= 0;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
}

/** 20-byte peer_id of peer k in torrent t. */
export function peerIdOf(t: number, k: number): Buffer {
  const out = Buffer.alloc(20);
  PEER_PREFIX.copy(out, 0);
  let x = (((t << 16) | (k & 0xffff)) ^ 0x9e3779b9) >>> 0;
  if (x === 0) x = 1;
  for (let i = 0; i < 3; i++) {
    x = xorshift32(x);
    out.writeUInt32LE(x, 8 + i * 4);
  }
  return out;
}

export function isSeeder(k: number): boolean {
  return k % 4 === 0;
}

/** A stable, made-up info_hash for torrent t of the bench population. */
export function benchInfoHash(t: number): Buffer {
  return createHash('sha1').update(`release-tracker-suite bench torrent ${t}`).digest();
}

/** Whitelist text in opentracker's format: one 40-hex info_hash per line. */
export function whitelistText(n: number): string {
  let s = '';
  for (let t = 0; t < n; t++) s += `${benchInfoHash(t).toString('hex')}\n`;
  return s;
}

/** The info_hashes of a whitelist file's text, in file order (lines starting with 40 hex digits). */
export function parseHashList(text: string): Buffer[] {
  const out: Buffer[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^([0-9a-fA-F]{40})/.exec(line);
    if (m) out.push(Buffer.from(m[1]!, 'hex'));
  }
  return out;
}
