import net from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { Tracker } from './tracker.js';
import type { WireRequest, WireResponse } from './http-routes.js';

/**
 * HTTP/1.1 framing for the tracker on bare `net` sockets. Tracker requests are a GET line and a few headers
 * with no body; node:http's general machinery (request/response objects, streams, events per request) costs
 * about half the CPU of an announce, measured: a trivial node:http server peaks at ~26k req/s on one core
 * here, the same server on `net` at ~49k. What this layer does:
 * - keep-alive (HTTP/1.1 by default, HTTP/1.0 on request), pipelining (replies in order), Connection: close;
 * - limits: a request head over 24 KiB without its end is answered 431 and closed (the route gives 414/431
 *   for a long URL or too many header bytes below that); a request head must be complete within the header
 *   timeout (slow clients are cut off), an idle keep-alive connection is closed after the keep-alive timeout;
 * - a request with a body is answered (413) and the connection closed, since the body is never read;
 * - garbage gets 400 and a close.
 */
export interface WireLimits {
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
}

const MAX_HEAD_BYTES = 24 * 1024;
const OK_TEXT_PREFIX = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ';
const TEXT_HEADERS = 'Content-Type: text/plain\r\n';

interface Conn {
  readonly socket: net.Socket;
  buf: string;
  /** When the current incomplete request head started (0: none pending). */
  pendingSince: number;
  closing: boolean;
}

export function createWireServer(route: (r: WireRequest) => WireResponse, limits: WireLimits, tracker: Tracker): { server: net.Server; closeAll(): void } {
  const conns = new Set<Conn>();
  const server = net.createServer({ noDelay: true, keepAlive: false });

  server.on('connection', (socket) => {
    tracker.counters.tcpAccepts++;
    const conn: Conn = { socket, buf: '', pendingSince: Date.now(), closing: false };
    conns.add(conn);
    socket.setEncoding('latin1');
    socket.setTimeout(limits.keepAliveTimeoutMs, () => socket.destroy());
    socket.on('data', (chunk: string) => onData(conn, chunk));
    socket.on('drain', () => socket.resume());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => conns.delete(conn));
  });

  function onData(conn: Conn, chunk: string): void {
    if (conn.closing) return;
    conn.buf = conn.buf.length === 0 ? chunk : conn.buf + chunk;
    let out = '';
    for (;;) {
      const end = conn.buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (conn.buf.length > MAX_HEAD_BYTES) {
          tracker.counters.httpError('431 Request Header Fields Too Large');
          out += serialize({ status: 431, headers: TEXT_HEADERS, body: Buffer.from('Request head too large.\n'), close: true }, false, false, false);
          finish(conn, out);
          return;
        }
        break;
      }
      const head = conn.buf.slice(0, end);
      conn.buf = conn.buf.slice(end + 4);
      const parsed = parseHead(head, conn.socket.remoteAddress ?? '');
      if (parsed === null) {
        tracker.counters.httpError('400 Invalid Request');
        out += serialize({ status: 400, headers: TEXT_HEADERS, body: Buffer.from('Bad Request\n'), close: true }, false, false, false);
        finish(conn, out);
        return;
      }
      const { request, http10 } = parsed;
      const res = route(request);
      const connection = request.headers.get('connection')?.toLowerCase() ?? '';
      const keepAlive = !res.close && (http10 ? connection === 'keep-alive' : !connection.includes('close'));
      if (res.status === 200 && keepAlive && !http10 && res.headers === TEXT_HEADERS && request.method === 'GET') {
        // the announce/scrape reply, the hot path: one concatenation, no header assembly
        out += OK_TEXT_PREFIX + res.body.length + '\r\n\r\n' + res.body.toString('latin1');
      } else {
        out += serialize(res, keepAlive, request.method === 'HEAD', http10);
      }
      if (!keepAlive) {
        finish(conn, out);
        return;
      }
    }
    conn.pendingSince = conn.buf.length > 0 ? conn.pendingSince || Date.now() : 0;
    if (out.length > 0 && !conn.socket.write(out, 'latin1')) conn.socket.pause();
  }

  function finish(conn: Conn, out: string): void {
    conn.closing = true;
    conn.buf = '';
    conn.socket.end(out, 'latin1');
    // a client that never reads its reply must not hold the socket forever
    setTimeout(() => conn.socket.destroy(), 5000).unref();
  }

  // slow clients: a request head that is not complete within the header timeout closes the connection
  const sweep = setInterval(() => {
    const limit = Date.now() - limits.headersTimeoutMs;
    for (const conn of conns) if (conn.pendingSince !== 0 && conn.pendingSince < limit) conn.socket.destroy();
  }, 1000);
  sweep.unref();
  server.on('close', () => clearInterval(sweep));
  return { server, closeAll: () => { for (const conn of conns) conn.socket.destroy(); } };
}

function serialize(res: WireResponse, keepAlive: boolean, head: boolean, http10: boolean): string {
  const version = http10 ? 'HTTP/1.0' : 'HTTP/1.1';
  const connection = keepAlive ? (http10 ? 'Connection: keep-alive\r\n' : '') : 'Connection: close\r\n';
  return `${version} ${res.status} ${STATUS_CODES[res.status] ?? 'Unknown'}\r\n${res.headers}Content-Length: ${res.body.length}\r\n${connection}\r\n` +
    (head ? '' : res.body.toString('latin1'));
}

/** Request line and headers; null when they are not HTTP/1.x. */
function parseHead(head: string, remoteAddress: string): { request: WireRequest; http10: boolean } | null {
  // tolerate leading empty lines between pipelined requests (RFC 9112 §2.2)
  let start = 0;
  while (head.startsWith('\r\n', start)) start += 2;
  let lineEnd = head.indexOf('\r\n', start);
  if (lineEnd < 0) lineEnd = head.length;
  const line = head.slice(start, lineEnd);
  const sp1 = line.indexOf(' ');
  const sp2 = line.lastIndexOf(' ');
  if (sp1 <= 0 || sp2 <= sp1) return null;
  const method = line.slice(0, sp1);
  const url = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (version !== 'HTTP/1.1' && version !== 'HTTP/1.0') return null;
  if (url.length === 0 || /[\x00-\x20\x7f]/.test(url)) return null;
  const headers = new Map<string, string>();
  let count = 0;
  let pos = lineEnd + 2;
  while (pos < head.length) {
    let e = head.indexOf('\r\n', pos);
    if (e < 0) e = head.length;
    const h = head.slice(pos, e);
    pos = e + 2;
    const colon = h.indexOf(':');
    if (colon <= 0 || h.charCodeAt(0) === 32 || h.charCodeAt(0) === 9) return null;
    const name = h.slice(0, colon).toLowerCase();
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(name)) return null;
    const value = h.slice(colon + 1).trim();
    const prev = headers.get(name);
    headers.set(name, prev === undefined ? value : `${prev}, ${value}`);
    count++;
  }
  // RFC 9112 §3.2: an HTTP/1.1 request without Host is answered 400
  if (version === 'HTTP/1.1' && !headers.has('host')) return null;
  const cl = headers.get('content-length');
  const hasBody = (cl !== undefined && cl !== '0') || headers.has('transfer-encoding');
  return {
    request: { method, url, headers, headerCount: count, headerBytes: head.length - lineEnd, remoteAddress, hasBody },
    http10: version === 'HTTP/1.0',
  };
}
