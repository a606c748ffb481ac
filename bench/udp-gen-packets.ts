/** BEP 15 requests as the load generator sends them (offsets as in the BEP's tables). */
import { PEER_PORT_BASE, isSeeder, peerIdOf } from './population.js';

const PROTOCOL_ID = 0x41727101980n;

/** connect: protocol id, action 0, transaction id. */
export function connectPacket(tx: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigUInt64BE(PROTOCOL_ID, 0);
  b.writeUInt32BE(0, 8);
  b.writeUInt32BE(tx, 12);
  return b;
}

/** announce of peer k of torrent t (left 0 for seeders), event started (2) in preload and none (0) in load. */
export function announcePacket(connId: Buffer, tx: number, hash: Buffer, t: number, k: number, started: boolean, numwant: number): Buffer {
  const b = Buffer.allocUnsafe(98);
  connId.copy(b, 0);
  b.writeUInt32BE(1, 8);
  b.writeUInt32BE(tx, 12);
  hash.copy(b, 16);
  peerIdOf(t, k).copy(b, 36);
  b.writeBigUInt64BE(0n, 56);
  b.writeBigUInt64BE(isSeeder(k) ? 0n : 1_000_000n, 64);
  b.writeBigUInt64BE(0n, 72);
  b.writeUInt32BE(started ? 2 : 0, 80);
  b.writeUInt32BE(0, 84);
  b.writeUInt32BE((t * 7919 + k) >>> 0, 88);
  b.writeInt32BE(numwant, 92);
  b.writeUInt16BE(PEER_PORT_BASE + k, 96);
  return b;
}
