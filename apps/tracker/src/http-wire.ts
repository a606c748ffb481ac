import net from 'node:net';
import type { Logger } from '../../../libs/common/src/log.js';
import { ConnRegistry } from './conn-registry.js';
import { createErrorLog } from './error-log.js';
import { Conn } from './http-conn.js';
import { MAX_PENDING_OUTPUT, createFramer } from './http-framer.js';
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

const CONN = Symbol('conn');
type ConnSocket = net.Socket & { [CONN]?: Conn };

export function createWireServer(
  route: (r: WireRequest) => WireResponse,
  limits: WireLimits,
  c: WireCounters,
  log: Logger,
): { server: net.Server; closeAll(): void } {
  const conns = new ConnRegistry(limits, c);
  // the write buffer's high-water mark is the framer's output cap, so 'drain' comes exactly when it resumes
  const server = net.createServer({ noDelay: false, keepAlive: false, allowHalfOpen: false, highWaterMark: MAX_PENDING_OUTPUT });
  // the total cap is Node's own: past it, an accepted handle is closed before any JS object is made for it
  server.maxConnections = limits.maxConnections;
  server.on('drop', () => {
    c.tcpRefusedTotal++;
  });
  const logError = createErrorLog(log, Date.now);
  const framer = createFramer({
    route,
    counters: c,
    maxUrlBytes: limits.maxUrlBytes,
    onRouteError: (err, r) => logError(err, 'request failed', { url: r.url.slice(0, 200) }),
  });
  const { accept } = socketListeners(framer, conns, c, logError);

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

  const sweep = setInterval(() => {
    try {
      conns.sweep(Date.now());
    } catch (err) {
      c.tcpErrors++;
      logError(err, 'connection sweep failed');
    }
  }, 1000);
  sweep.unref();
  server.on('close', () => clearInterval(sweep));
  return { server, closeAll: () => conns.destroyAll() };
}

/**
 * The socket listeners, made once and shared by every connection (`this` is the socket, the Conn hangs on
 * it): accepting a connection makes no closures. Every callback is guarded: an error ends only its connection.
 */
function socketListeners(
  framer: ReturnType<typeof createFramer>,
  conns: ConnRegistry,
  c: WireCounters,
  logError: ReturnType<typeof createErrorLog>,
): { accept(socket: ConnSocket): void } {
  function failed(conn: Conn, err: unknown): void {
    c.tcpErrors++;
    logError(err, 'connection failed', { from: conn.remoteAddress });
    conn.closing = true;
    conn.buf = '';
    conn.socket.destroy();
  }
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
    conns.remove(this[CONN]!);
  }
  return {
    accept(socket: ConnSocket): void {
      c.tcpAccepts++;
      socket.on('error', onError);
      const remoteAddress = socket.remoteAddress;
      if (remoteAddress === undefined) {
        // already gone (reset before we got to it)
        socket.destroy();
        return;
      }
      const bucket = conns.admit(remoteAddress);
      if (bucket === false) {
        socket.destroy();
        return;
      }
      const conn = new Conn(socket, remoteAddress, bucket, Date.now(), onDrain);
      socket[CONN] = conn;
      conns.add(conn);
      // inactivity in both directions (an idle keep-alive connection, a client that stopped reading) is
      // checked by the registry's sweep, not by a timer per socket
      socket.on('data', onData);
      socket.on('close', onClose);
    },
  };
}
