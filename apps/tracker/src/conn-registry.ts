import { parseIpv6Groups } from '../../../libs/net/src/ip.js';
import type { WireCounters } from './counters.js';
import type { Conn } from './http-conn.js';

/** A closing connection whose client never reads its last reply is destroyed after this. */
export const CLOSE_GRACE_MS = 5000;

/** The address a per-address cap counts: IPv4 as is, IPv6 by its /64 (one subscriber's usual prefix). */
export function addressBucket(ip: string): string {
  if (!ip.includes(':')) return ip;
  if (ip.startsWith('::ffff:') && ip.includes('.')) return ip.slice(7);
  const zone = ip.indexOf('%');
  const groups = parseIpv6Groups(zone < 0 ? ip : ip.slice(0, zone));
  if (groups === null) return ip.toLowerCase();
  return `${groups[0]!.toString(16)}:${groups[1]!.toString(16)}:${groups[2]!.toString(16)}:${groups[3]!.toString(16)}::/64`;
}

export interface RegistryLimits {
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxConnectionsPerAddress: number;
  readonly maxConnectionAgeSeconds: number;
  isCapExempt(ip: string): boolean;
}

/**
 * The open connections, newest first, as an intrusive list (Conn.prev/next: no Set entry per connection),
 * the per-address counts behind the per-address cap, and the sweep that enforces the time limits.
 */
export class ConnRegistry {
  private head: Conn | null = null;
  /** Connections in the list. */
  size = 0;
  private readonly perAddress = new Map<string, number>();

  constructor(
    private readonly limits: RegistryLimits,
    private readonly c: WireCounters,
  ) {}

  /**
   * The per-address bucket a new connection from `ip` is counted in (null: exempt), or false when that
   * address already holds its cap. A bucket returned is already counted: add() or release() must follow.
   */
  admit(ip: string): string | null | false {
    if (this.limits.isCapExempt(ip)) return null;
    const bucket = addressBucket(ip);
    const n = this.perAddress.get(bucket) ?? 0;
    if (n >= this.limits.maxConnectionsPerAddress) {
      this.c.tcpRefusedPerAddress++;
      return false;
    }
    this.perAddress.set(bucket, n + 1);
    return bucket;
  }

  add(conn: Conn): void {
    conn.next = this.head;
    if (this.head !== null) this.head.prev = conn;
    this.head = conn;
    this.size++;
  }

  /** Takes a connection out, once: a second call for it changes nothing. */
  remove(conn: Conn): void {
    if (conn.prev !== null) conn.prev.next = conn.next;
    else if (this.head === conn) this.head = conn.next;
    else return;
    if (conn.next !== null) conn.next.prev = conn.prev;
    conn.prev = conn.next = null;
    this.size--;
    const bucket = conn.bucket;
    if (bucket === null) return;
    const n = (this.perAddress.get(bucket) ?? 1) - 1;
    if (n <= 0) this.perAddress.delete(bucket);
    else this.perAddress.set(bucket, n);
  }

  /**
   * Slow request heads, idle connections, clients that do not read their last reply, and connections past
   * the maximum age. One walk over the open connections (every second) replaces a timer per socket; a limit
   * is therefore enforced up to a second late.
   */
  sweep(now: number): void {
    const headLimit = now - this.limits.headersTimeoutMs;
    const ageLimit = now - this.limits.maxConnectionAgeSeconds * 1000;
    const idleLimit = now - this.limits.keepAliveTimeoutMs;
    const graceLimit = now - CLOSE_GRACE_MS;
    for (let conn = this.head; conn !== null; ) {
      const next = conn.next;
      if (
        (conn.pendingSince !== 0 && conn.pendingSince < headLimit) ||
        conn.lastActive < idleLimit ||
        (conn.closedAt !== 0 && conn.closedAt < graceLimit)
      ) {
        conn.stream.destroy();
        conn = next;
        continue;
      }
      if (!conn.aged && conn.openedAt < ageLimit) {
        conn.aged = true;
        this.c.tcpAged++;
      }
      // an aged connection that is not in the middle of anything goes now; a busy one closes at its next reply
      if (conn.aged && !conn.closing && !conn.paused && conn.buf.length === 0 && conn.stream.unsent === 0) {
        conn.closing = true;
        conn.end('', false);
      }
      conn = next;
    }
  }

  destroyAll(): void {
    for (let conn = this.head; conn !== null; ) {
      const next = conn.next;
      conn.stream.destroy();
      conn = next;
    }
  }
}
