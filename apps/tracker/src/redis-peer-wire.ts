/**
 * Peer changes exchanged between tracker instances through Redis pub/sub, in one compact binary message:
 *
 *   'P' '1' | kind (0 changes, 1 hello) | 8-byte instance id | records...
 *   record: 20-byte info_hash | flags (bit 0 seeder, bit 1 stopped, bit 2 IPv6) | 6 or 18 bytes compact address
 *
 * A hello asks every other instance to send all its peers (a new or reconnected instance). The decoder takes
 * anything: a message that is not ours, or is cut, yields what parsed before the damage and never throws.
 */
export const KIND_CHANGES = 0;
export const KIND_HELLO = 1;
const HEADER = 11;
const F_SEEDER = 1;
const F_STOPPED = 2;
const F_V6 = 4;
/** Records per message stay under ~64 KB so one publish never blocks the Redis event loop for long. */
export const MAX_MESSAGE_BYTES = 65536;

export interface PeerChange {
  /** 20-char latin1 info_hash. */
  readonly infoHash: string;
  /** Compact address: 6 (IPv4) or 18 (IPv6) bytes. */
  readonly addr: Buffer;
  readonly seeder: boolean;
  readonly stopped: boolean;
}

export interface DecodedMessage {
  readonly kind: number;
  readonly instance: string;
  readonly changes: PeerChange[];
}

/** One change as its record bytes, so an outbox can coalesce by hash+address and keep only the latest. */
export function encodeRecord(infoHash: string, addr: Uint8Array, addrLen: 6 | 18, seeder: boolean, stopped: boolean): Buffer {
  const b = Buffer.allocUnsafe(21 + addrLen);
  b.write(infoHash, 0, 20, 'latin1');
  b[20] = (seeder ? F_SEEDER : 0) | (stopped ? F_STOPPED : 0) | (addrLen === 18 ? F_V6 : 0);
  b.set(addr.subarray(0, addrLen), 21);
  return b;
}

/**
 * A change kept as its outbox key (20-char info_hash + 6 or 18 address chars, latin1) and flags
 * (bit 0 seeder, bit 1 stopped): nothing is allocated per announce beyond the key.
 */
export function encodeKeyRecord(key: string, flags: number): Buffer {
  const addrLen = key.length - 20;
  const b = Buffer.allocUnsafe(1 + key.length);
  b.write(key, 0, 20, 'latin1');
  b[20] = (flags & (F_SEEDER | F_STOPPED)) | (addrLen === 18 ? F_V6 : 0);
  b.write(key.slice(20), 21, addrLen, 'latin1');
  return b;
}

/** The compact address as a latin1 string (for outbox keys). */
export function addrString(addr: Uint8Array, len: 6 | 18): string {
  if (len === 6) return String.fromCharCode(addr[0]!, addr[1]!, addr[2]!, addr[3]!, addr[4]!, addr[5]!);
  return Buffer.from(addr.buffer, addr.byteOffset, 18).toString('latin1');
}

/** Packs records into as few messages as fit MAX_MESSAGE_BYTES. */
export function encodeMessages(kind: number, instance: Buffer, records: Iterable<Buffer>): Buffer[] {
  const out: Buffer[] = [];
  let parts: Buffer[] = [];
  let size = HEADER;
  const header = (): Buffer => {
    const h = Buffer.allocUnsafe(HEADER);
    h.write('P1', 0, 'latin1');
    h[2] = kind;
    instance.copy(h, 3, 0, 8);
    return h;
  };
  for (const r of records) {
    if (size + r.length > MAX_MESSAGE_BYTES && parts.length > 0) {
      out.push(Buffer.concat([header(), ...parts]));
      parts = [];
      size = HEADER;
    }
    parts.push(r);
    size += r.length;
  }
  if (parts.length > 0 || kind === KIND_HELLO) out.push(Buffer.concat([header(), ...parts]));
  return out;
}

export function decodeMessage(msg: Buffer): DecodedMessage | null {
  if (msg.length < HEADER || msg[0] !== 0x50 || msg[1] !== 0x31) return null;
  const kind = msg[2]!;
  if (kind !== KIND_CHANGES && kind !== KIND_HELLO) return null;
  const instance = msg.toString('hex', 3, 11);
  const changes: PeerChange[] = [];
  let off = HEADER;
  while (off + 21 <= msg.length) {
    const flags = msg[off + 20]!;
    if (flags > 7) break;
    const len = (flags & F_V6) !== 0 ? 18 : 6;
    if (off + 21 + len > msg.length) break;
    changes.push({
      infoHash: msg.toString('latin1', off, off + 20),
      addr: Buffer.from(msg.subarray(off + 21, off + 21 + len)),
      seeder: (flags & F_SEEDER) !== 0,
      stopped: (flags & F_STOPPED) !== 0,
    });
    off += 21 + len;
  }
  return { kind, instance, changes };
}
