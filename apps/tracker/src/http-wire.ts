import type { Logger } from '../../../libs/common/src/log.js';
import { ConnRegistry } from './conn-registry.js';
import type { WireCounters } from './counters.js';
import { createErrorLog } from './error-log.js';
import { Conn } from './http-conn.js';
import { createFramer } from './http-framer.js';
import type { WireRequest, WireResponse } from './http-routes.js';
import type { StreamEvents, TcpListener, TcpStream, TcpTransport } from './tcp-transport.js';

/**
 * The tracker's HTTP/1.1 on bare TCP streams (tcp-transport.ts); http-framer.ts does the framing. Tracker
 * requests are a GET line and a few headers with no body; node:http's general machinery (request/response
 * objects, streams, events per request) costs about half the CPU of an announce, measured: a trivial node:http
 * server peaks at ~26k req/s on one core here, the same server on `net` at ~49k. What this layer adds:
 * - caps on connections: in total (over it, the kernel's connection is closed at accept), per address
 *   (IPv6: per /64, what one subscriber gets), and a maximum age after which a keep-alive connection is
 *   closed (at its next reply, or at once when idle): every idle connection costs memory, and a client that
 *   asks something every 29 s would otherwise keep one forever;
 * - timeouts: a request head must be complete within the header timeout from its first byte (slow clients
 *   are cut off), an idle keep-alive connection is closed after the keep-alive timeout, and so is one whose
 *   client stops reading its replies;
 * - backpressure: when a connection's unsent replies reach the framer's cap, reading stops until they drain;
 * - every stream callback is guarded: an error affects only its connection.
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

export interface WireServer {
  readonly listener: TcpListener;
  /** Connections open now. */
  openConnections(): number;
  /** Stops the sweep and closes every open connection (the listener is closed by its owner). */
  closeAll(): void;
}

export function createWireServer(
  route: (r: WireRequest) => WireResponse,
  limits: WireLimits,
  c: WireCounters,
  log: Logger,
  transport: TcpTransport,
): WireServer {
  const conns = new ConnRegistry(limits, c);
  const logError = createErrorLog(log, Date.now);
  const framer = createFramer({
    route,
    counters: c,
    maxUrlBytes: limits.maxUrlBytes,
    onRouteError: (err, r) => logError(err, 'request failed', { url: r.url.slice(0, 200) }),
  });

  function failed(conn: Conn, err: unknown): void {
    c.tcpErrors++;
    logError(err, 'connection failed', { from: conn.remoteAddress });
    conn.closing = true;
    conn.buf = '';
    conn.stream.destroy();
  }
  const events: StreamEvents<Conn> = {
    data(conn, bytes, length) {
      try {
        const now = Date.now();
        conn.lastActive = now;
        // the bytes become latin1 text at once (the framer works on strings; the transport may read the next
        // chunk into the same memory)
        framer.feed(conn, bytes.toString('latin1', 0, length), now);
        if (conn.paused) conn.stream.pause();
      } catch (err) {
        failed(conn, err);
      }
    },
    drained(conn) {
      try {
        conn.lastActive = Date.now();
        if (!conn.paused) return;
        framer.resume(conn, conn.lastActive);
        if (conn.paused || conn.closing) return;
        if (conn.clientEnded) conn.stream.closeWhenSent();
        else conn.stream.resume();
      } catch (err) {
        failed(conn, err);
      }
    },
    ended(conn) {
      // the framer has answered every whole request it was given, unless it is paused with some still
      // buffered: then the stream closes after drained() has them answered
      try {
        conn.clientEnded = true;
        if (!conn.paused) conn.stream.closeWhenSent();
      } catch (err) {
        failed(conn, err);
      }
    },
    closed(conn) {
      // whatever is still buffered (pipelined requests) is not answered on a closed stream
      conn.closing = true;
      conn.buf = '';
      conns.remove(conn);
    },
  };

  const listener = transport.createListener<Conn>({
    events,
    maxConnections: limits.maxConnections,
    accepted(stream: TcpStream<Conn>) {
      c.tcpAccepts++;
      const bucket = conns.admit(stream.remoteAddress);
      // over the per-address cap: no owner, so the transport closes it
      if (bucket === false) return;
      const conn = new Conn(stream, bucket, Date.now());
      stream.owner = conn;
      conns.add(conn);
    },
    refused() {
      c.tcpRefusedTotal++;
    },
    failed(err, what) {
      c.tcpErrors++;
      logError(err, what);
    },
  });

  // inactivity in both directions (an idle keep-alive connection, a client that stopped reading) is checked
  // by the registry's sweep, not by a timer per connection
  const sweep = setInterval(() => {
    try {
      conns.sweep(Date.now());
    } catch (err) {
      c.tcpErrors++;
      logError(err, 'connection sweep failed');
    }
  }, 1000);
  sweep.unref();
  return {
    listener,
    openConnections: () => conns.size,
    closeAll() {
      clearInterval(sweep);
      conns.destroyAll();
    },
  };
}
