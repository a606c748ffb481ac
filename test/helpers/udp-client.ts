import assert from 'node:assert/strict';
import dgram from 'node:dgram';

/** BEP 15 packets built by hand, and a one-shot request/reply over a fresh socket. */

export const UDP_MAGIC_HI = 0x417;
export const UDP_MAGIC_LO = 0x27101980;

export interface UdpRequestOptions {
  readonly host?: string;
  /** Source address (127.0.0.2 for a second "client"). */
  readonly localAddress?: string;
  /** Reuse an open socket (same source port) instead of a fresh one. */
  readonly socket?: dgram.Socket;
}

/** Sends one datagram and resolves with the first reply, or null when none comes within timeoutMs. */
export function udpRequest(port: number, buf: Buffer, timeoutMs = 1000, opts: UdpRequestOptions = {}): Promise<Buffer | null> {
  const host = opts.host ?? '127.0.0.1';
  const own = opts.socket === undefined;
  const socket = opts.socket ?? dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (v: Buffer | null, err?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.off('message', onMessage);
      socket.off('error', onError);
      if (own) socket.close();
      if (err) reject(err);
      else resolve(v);
    };
    const onMessage = (msg: Buffer): void => finish(msg);
    const onError = (err: Error): void => finish(null, err);
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.on('message', onMessage);
    socket.on('error', onError);
    const send = (): void =>
      socket.send(buf, port, host, (err) => {
        if (err) finish(null, err);
      });
    if (own && opts.localAddress !== undefined) socket.bind(0, opts.localAddress, send);
    else send();
  });
}

export function connectPacket(txid: number, magicHi = UDP_MAGIC_HI, magicLo = UDP_MAGIC_LO): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32BE(magicHi, 0);
  b.writeUInt32BE(magicLo, 4);
  b.writeUInt32BE(0, 8);
  b.writeUInt32BE(txid >>> 0, 12);
  return b;
}

export interface UdpAnnounceFields {
  readonly connectionId: Buffer;
  readonly txid: number;
  readonly infoHash: Buffer;
  readonly peerId: Buffer;
  readonly downloaded?: bigint;
  readonly left?: bigint;
  readonly uploaded?: bigint;
  /** 0 none, 1 completed, 2 started, 3 stopped */
  readonly event?: number;
  readonly ip?: number;
  readonly key?: number;
  readonly numWant?: number;
  readonly port: number;
}

export function announcePacket(f: UdpAnnounceFields): Buffer {
  const b = Buffer.alloc(98);
  f.connectionId.copy(b, 0, 0, 8);
  b.writeUInt32BE(1, 8);
  b.writeUInt32BE(f.txid >>> 0, 12);
  f.infoHash.copy(b, 16, 0, 20);
  f.peerId.copy(b, 36, 0, 20);
  b.writeBigUInt64BE(f.downloaded ?? 0n, 56);
  b.writeBigUInt64BE(f.left ?? 0n, 64);
  b.writeBigUInt64BE(f.uploaded ?? 0n, 72);
  b.writeUInt32BE(f.event ?? 0, 80);
  b.writeUInt32BE(f.ip ?? 0, 84);
  b.writeUInt32BE(f.key ?? 0, 88);
  b.writeInt32BE(f.numWant ?? -1, 92);
  b.writeUInt16BE(f.port, 96);
  return b;
}

export function scrapePacket(connectionId: Buffer, txid: number, hashes: readonly Buffer[]): Buffer {
  const head = Buffer.alloc(16);
  connectionId.copy(head, 0, 0, 8);
  head.writeUInt32BE(2, 8);
  head.writeUInt32BE(txid >>> 0, 12);
  return Buffer.concat([head, ...hashes]);
}

/** Connects and returns the connection id (throws when the tracker stays silent). */
export async function udpConnect(port: number, opts: UdpRequestOptions & { timeoutMs?: number } = {}): Promise<Buffer> {
  const txid = (Math.random() * 0xffffffff) >>> 0;
  const r = await udpRequest(port, connectPacket(txid), opts.timeoutMs ?? 2000, opts);
  if (r === null) throw new Error('no reply to UDP connect');
  if (r.length !== 16 || r.readUInt32BE(0) !== 0 || r.readUInt32BE(4) !== txid) throw new Error(`bad connect reply ${r.toString('hex')}`);
  return Buffer.from(r.subarray(8, 16));
}

/** Connects, then one announce with that connection id (from opts.localAddress if given); the reply must come within 2 s. */
export async function udpAnnounceOnce(
  port: number,
  f: Omit<UdpAnnounceFields, 'connectionId'>,
  opts: UdpRequestOptions = {},
): Promise<UdpAnnounceReply> {
  const connectionId = await udpConnect(port, opts);
  const r = await udpRequest(port, announcePacket({ ...f, connectionId }), 2000, opts);
  assert.ok(r !== null, 'UDP announce answered');
  return parseUdpAnnounce(r);
}

export interface UdpAnnounceReply {
  readonly action: number;
  readonly txid: number;
  readonly interval: number;
  readonly leechers: number;
  readonly seeders: number;
  readonly peers: string[];
}

export function parseUdpAnnounce(r: Buffer): UdpAnnounceReply {
  if (r.length < 20 || r.readUInt32BE(0) !== 1) throw new Error(`not an announce reply: ${r.toString('hex')} (${udpErrorText(r) ?? ''})`);
  const peers: string[] = [];
  for (let i = 20; i + 6 <= r.length; i += 6) peers.push(`${r[i]}.${r[i + 1]}.${r[i + 2]}.${r[i + 3]}:${r.readUInt16BE(i + 4)}`);
  return {
    action: 1,
    txid: r.readUInt32BE(4),
    interval: r.readUInt32BE(8),
    leechers: r.readUInt32BE(12),
    seeders: r.readUInt32BE(16),
    peers,
  };
}

export function parseUdpScrape(r: Buffer): Array<{ seeders: number; completed: number; leechers: number }> {
  if (r.length < 8 || r.readUInt32BE(0) !== 2 || (r.length - 8) % 12 !== 0) throw new Error(`not a scrape reply: ${r.toString('hex')}`);
  const rows = [];
  for (let i = 8; i < r.length; i += 12)
    rows.push({ seeders: r.readUInt32BE(i), completed: r.readUInt32BE(i + 4), leechers: r.readUInt32BE(i + 8) });
  return rows;
}

/** The message of an action-3 reply, or null for anything else. */
export function udpErrorText(r: Buffer | null): string | null {
  if (r === null || r.length < 8 || r.readUInt32BE(0) !== 3) return null;
  return r.subarray(8).toString('utf8');
}

/**
 * Connects from two sockets of this host (two source ports of one IP, txids 0x11111111 and 0x22222222) and checks
 * both replies: 16 bytes, action 0, the txid echoed, and one connection id for both (it is bound to the address,
 * not the port). Resolves with that id and the two open sockets, which the caller closes.
 */
export async function connectFromTwoPorts(port: number): Promise<{ cid: Buffer; sockets: [dgram.Socket, dgram.Socket] }> {
  const sockets: [dgram.Socket, dgram.Socket] = [dgram.createSocket('udp4'), dgram.createSocket('udp4')];
  try {
    const r1 = await udpRequest(port, connectPacket(0x11111111), 2000, { socket: sockets[0] });
    const r2 = await udpRequest(port, connectPacket(0x22222222), 2000, { socket: sockets[1] });
    assert.ok(r1 && r2, 'both connects answered');
    assert.equal(r1.length, 16);
    assert.equal(r1.subarray(0, 8).toString('hex'), '0000000011111111');
    assert.equal(r2.subarray(0, 8).toString('hex'), '0000000022222222');
    assert.deepEqual(r1.subarray(8), r2.subarray(8), 'same connection id for both source ports');
    return { cid: Buffer.from(r1.subarray(8)), sockets };
  } catch (e) {
    for (const s of sockets) s.close();
    throw e;
  }
}
