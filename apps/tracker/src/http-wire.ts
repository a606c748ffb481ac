import net from 'node:net';
import type { Logger } from '../../../libs/common/src/log.js';
import { parseIpv6Groups } from '../../../libs/net/src/ip.js';
import { MAX_PENDING_OUTPUT, createFramer, type FrameConn, type FrameSink } from './http-framer.js';
import type { WireRequest, WireResponse } from './http-routes.js';
import type { WireCounters } from './counters.js';

/**
 * The tracker's HTTP/1.1 on bare `net` sockets; http-framer.ts does the framing. Tracker requests are a GET
 * line and a few headers with no body; node:http's general machinery (request/response objects, streams,
 * events per request) costs about half the CPU of an announce, measured: a trivial node:http server peaks at
 * ~26k req/s on one core here, the same server on `net` at ~49k. What this layer adds:
 * - caps on connections: in total (over it, the kernel's connection is closed at accept), per address
 *   (IPv6: per /64, what one subscriber gets), and a maximum age after which a keep-alive connection is
 *   closed (at its next reply, or at once when idle): every idle connection costs memory, and a client that
 *   asks something every 29 s would otherwise keep one forever;
 * - timeouts: a request head must be complete within the header timeout from its first byte (slow clients
 *   are cut off), an idle keep-alive connection is closed after the keep-alive timeout, and so is one whose
 *   client stops reading its replies;
 * - backpressure: when a connection's unsent replies reach the framer's cap, reading stops until they drain;
 * - every socket callback is guarded: an error affects only its connection.
 */
export interface WireLimits {
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
  readonly maxConnectionAgeSeconds: number;
  /** Longest request target answered (414 beyond). */
  readonly maxUrlBytes: number;
  /** Addresses the per-address cap does not apply to (reverse proxies, the stats clients). */
  isCapExempt(ip: string): boolean;
}

/**
 * One connection. It is its own FrameSink, and the socket's listeners are shared functions that find it on
 * the socket: accepting a connection makes no closures and no timers (one connection per request is how
 * most clients talk to a tracker, so this setup is paid on nearly every announce).
 */
class Conn implements FrameConn, FrameSink {
  buf = '';
  pendingSince: number;
  closing = false;
  paused = false;
  aged = false;
  /** Last time bytes came in or the output drained, ms: the inactivity timeout runs from it. */
  lastActive: number;
  /** When a closing reply was queued, ms (0: not closing by reply); the socket is destroyed after CLOSE_GRACE_MS. */
  closedAt = 0;
  readonly sink: FrameSink = this;
  /** Neighbours in the wire's list of open connections (an intrusive list: no Set entry per connection). */
  prev: Conn | null = null;
  next: Conn | null = null;
  constructor(
    readonly socket: net.Socket,
    readonly remoteAddress: string,
    /** Per-address bucket, or null when exempt. */
    readonly bucket: string | null,
    readonly openedAt: number,
  ) {
    this.pendingSince = openedAt;
    this.lastActive = openedAt;
  }

  write(data: string | Buffer): number {
    const socket = this.socket;
    socket.write(data, 'latin1');
    // only report a full buffer when 'drain' will follow; otherwise a paused connection would never resume
    return socket.writableNeedDrain ? socket.writableLength : 0;
  }

  end(data: string, linger: boolean): void {
    // a client that never reads its reply must not hold the socket forever: the sweep destroys it after
    // CLOSE_GRACE_MS
    this.closedAt = Date.now();
    const socket = this.socket;
    // a client that sent its request and nothing more (one connection per request, the common case) gets
    // the reply and the FIN, and the socket is closed once they are handed to the kernel, as opentracker
    // does: waiting for the client's FIN costs a read, an 'end' and their ticks per connection
    if (!linger) {
      socket.write(data, 'latin1');
      // the kernel took the whole reply (the usual case for a tracker reply): close now; the kernel sends it
      // and then the FIN, so the shutdown call and the stream's end sequence are not needed
      if (socket.writableLength === 0) {
        socket.destroy();
        return;
      }
      socket.on('finish', destroySocket);
      socket.end();
      return;
    }
    socket.end(data, 'latin1');
  }
}

function destroySocket(this: net.Socket): void {
  this.destroy();
}

const CONN = Symbol('conn');
type ConnSocket = net.Socket & { [CONN]?: Conn };

/** A closing connection whose client never reads its last reply is destroyed after this. */
const CLOSE_GRACE_MS = 5000;

/** The address a per-address cap counts: IPv4 as is, IPv6 by its /64 (one subscriber's usual prefix). */
export function addressBucket(ip: string): string {
  if (!ip.includes(':')) return ip;
  if (ip.startsWith('::ffff:') && ip.includes('.')) return ip.slice(7);
  const zone = ip.indexOf('%');
  const groups = parseIpv6Groups(zone < 0 ? ip : ip.slice(0, zone));
  if (groups === null) return ip.toLowerCase();
  return `${groups[0]!.toString(16)}:${groups[1]!.toString(16)}:${groups[2]!.toString(16)}:${groups[3]!.toString(16)}::/64`;
}

export function createWireServer(
  route: (r: WireRequest) => WireResponse, limits: WireLimits, c: WireCounters, log: Logger,
): { server: net.Server; closeAll(): void } {
  // open connections, newest first (see Conn.prev/next)
  let head: Conn | null = null;
  const perAddress = new Map<string, number>();
  // the write buffer's high-water mark is the framer's output cap, so 'drain' comes exactly when it resumes
  const server = net.createServer({ noDelay: true, keepAlive: false, allowHalfOpen: false, highWaterMark: MAX_PENDING_OUTPUT });
  // the total cap is Node's own: past it, an accepted handle is closed before any JS object is made for it
  server.maxConnections = limits.maxConnections;
  server.on('drop', () => { c.tcpRefusedTotal++; });
  const maxAgeMs = limits.maxConnectionAgeSeconds * 1000;
  const idleMs = limits.keepAliveTimeoutMs;

  let lastErrorLog = 0;
  function logError(err: unknown, msg: string, extra: Record<string, unknown> = {}): void {
    const now = Date.now();
    if (now - lastErrorLog < 60000) return;
    lastErrorLog = now;
    try {
      log.error({ err, ...extra }, `${msg} (further errors within a minute are counted, not logged)`);
    } catch {
      // a logger that cannot write must not turn one bad request into a crash
    }
  }

  const framer = createFramer({
    route,
    counters: c,
    maxUrlBytes: limits.maxUrlBytes,
    onRouteError: (err, r) => logError(err, 'request failed', { url: r.url.slice(0, 200) }),
  });

  // accept errors (EMFILE when out of descriptors) are emitted on the server: without a listener they would
  // end the process; the connection is lost, the server keeps accepting
  server.on('error', (err) => {
    c.tcpErrors++;
    logError(err, 'tcp server error');
  });

  server.on('connection', (socket: ConnSocket) => {
    try {
      accept(socket);
    } catch (err) {
      c.tcpErrors++;
      logError(err, 'connection setup failed');
      socket.destroy();
    }
  });

  // the socket listeners, shared by every connection (`this` is the socket)
  function onError(this: ConnSocket): void {
    this.destroy();
  }
  function onData(this: ConnSocket, chunk: Buffer): void {
    const conn = this[CONN]!;
    try {
      const now = Date.now();
      conn.lastActive = now;
      // bytes are read as Buffers and turned into latin1 text here: setEncoding would add a StringDecoder
      // per socket for the same conversion
      framer.feed(conn, chunk.toString('latin1'), now);
      if (conn.paused) this.pause();
    } catch (err) {
      failed(conn, err);
    }
  }
  function onDrain(this: ConnSocket): void {
    const conn = this[CONN]!;
    try {
      conn.lastActive = Date.now();
      if (!conn.paused) return;
      framer.resume(conn, conn.lastActive);
      if (!conn.paused && !conn.closing) this.resume();
    } catch (err) {
      failed(conn, err);
    }
  }
  function onClose(this: ConnSocket): void {
    const conn = this[CONN]!;
    if (conn.prev !== null) conn.prev.next = conn.next;
    else if (head === conn) head = conn.next;
    if (conn.next !== null) conn.next.prev = conn.prev;
    conn.prev = conn.next = null;
    const bucket = conn.bucket;
    if (bucket === null) return;
    const n = (perAddress.get(bucket) ?? 1) - 1;
    if (n <= 0) perAddress.delete(bucket);
    else perAddress.set(bucket, n);
  }

  function accept(socket: ConnSocket): void {
    c.tcpAccepts++;
    socket.on('error', onError);
    const remoteAddress = socket.remoteAddress;
    if (remoteAddress === undefined) {
      // already gone (reset before we got to it)
      socket.destroy();
      return;
    }
    let bucket: string | null = null;
    if (!limits.isCapExempt(remoteAddress)) {
      bucket = addressBucket(remoteAddress);
      const n = perAddress.get(bucket) ?? 0;
      if (n >= limits.maxConnectionsPerAddress) {
        c.tcpRefusedPerAddress++;
        socket.destroy();
        return;
      }
      perAddress.set(bucket, n + 1);
    }
    const conn = new Conn(socket, remoteAddress, bucket, Date.now());
    socket[CONN] = conn;
    conn.next = head;
    if (head !== null) head.prev = conn;
    head = conn;
    // inactivity in both directions (an idle keep-alive connection, a client that stopped reading) is
    // checked by the sweep below, not by a timer per socket
    socket.on('data', onData);
    socket.on('drain', onDrain);
    socket.on('close', onClose);
  }

  function failed(conn: Conn, err: unknown): void {
    c.tcpErrors++;
    logError(err, 'connection failed', { from: conn.remoteAddress });
    conn.closing = true;
    conn.buf = '';
    conn.socket.destroy();
  }

  // every second: slow request heads, idle connections, clients that do not read their last reply, and
  // connections past the maximum age. One walk over the open connections replaces a timer per socket; a
  // limit is therefore enforced up to a second late.
  const sweep = setInterval(() => {
    try {
      const now = Date.now();
      const headLimit = now - limits.headersTimeoutMs;
      const ageLimit = now - maxAgeMs;
      const idleLimit = now - idleMs;
      const graceLimit = now - CLOSE_GRACE_MS;
      for (let conn = head; conn !== null;) {
        const next = conn.next;
        if ((conn.pendingSince !== 0 && conn.pendingSince < headLimit) || conn.lastActive < idleLimit
          || (conn.closedAt !== 0 && conn.closedAt < graceLimit)) {
          conn.socket.destroy();
          conn = next;
          continue;
        }
        if (!conn.aged && conn.openedAt < ageLimit) {
          conn.aged = true;
          c.tcpAged++;
        }
        // an aged connection that is not in the middle of anything goes now; a busy one closes at its next reply
        if (conn.aged && !conn.closing && !conn.paused && conn.buf.length === 0 && conn.socket.writableLength === 0) {
          conn.closing = true;
          conn.end('', false);
        }
        conn = next;
      }
    } catch (err) {
      c.tcpErrors++;
      logError(err, 'connection sweep failed');
    }
  }, 1000);
  sweep.unref();
  server.on('close', () => clearInterval(sweep));
  return {
    server,
    closeAll: () => {
      for (let conn = head; conn !== null;) {
        const next = conn.next;
        conn.socket.destroy();
        conn = next;
      }
    },
  };
}
