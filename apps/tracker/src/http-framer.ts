import type { HttpErrorKind, WireCounters } from './counters.js';
import { RequestHeaders } from './http-headers.js';
import type { WireRequest, WireResponse } from './http-routes.js';

/**
 * HTTP/1.1 framing of one connection, without sockets: bytes in (latin1 strings, any chunking), requests
 * to the route, replies out to a sink, in order. http-wire.ts feeds it from a socket; tests feed it
 * arbitrary bytes. What it does:
 * - keep-alive (HTTP/1.1 by default, HTTP/1.0 on request), pipelining (replies in order), Connection: close;
 * - the transport limits, before any route sees a request: a request head over 24 KiB without its end is
 *   answered 431 and closed, and so is one with too many header fields or bytes (MAX_HEADERS,
 *   MAX_HEADER_BYTES), a URL over maxUrlBytes (414); garbage gets 400 and a close; a method other than GET
 *   and HEAD gets 405; a request with a body gets 413 (405 for another method) and a close, since the body is
 *   never read;
 * - replies are written as they are made, and once the sink holds MAX_PENDING_OUTPUT unsent bytes the
 *   framer stops (paused) until the caller says the output drained: a client that pipelines without
 *   reading cannot make the tracker buffer replies without end;
 * - a route that throws gives that request a 500; the next pipelined request is served as usual.
 * Small replies of one chunk are joined into one write (one syscall for a pipelined burst, nothing extra
 * on the hot path of one request per chunk); large bodies are written as the Buffer they are, never copied
 * into a string.
 */
export interface FrameSink {
  /** Queues latin1 text or bytes; returns how many bytes are queued and not yet sent. */
  write(data: string | Buffer): number;
  /**
   * Queues the last bytes, then closes after they are sent. `linger`: the client may still be sending
   * (an error reply, or bytes after the last request), so wait for its end rather than close at once: a
   * close with unread input resets the connection, and the client could lose the reply.
   */
  end(data: string | Buffer, linger: boolean): void;
}

/** One connection's framing state (http-wire.ts adds its socket). */
export interface FrameConn {
  /** Received bytes not yet framed (latin1). */
  buf: string;
  /** When the current incomplete request head started, ms (0: none pending). */
  pendingSince: number;
  /** A closing reply was written: everything received afterwards is ignored. */
  closing: boolean;
  /** Output reached MAX_PENDING_OUTPUT: stop reading and framing until it drains. */
  paused: boolean;
  /** Past the maximum connection age: the next reply closes the connection. */
  aged: boolean;
  readonly remoteAddress: string;
  readonly sink: FrameSink;
}

export const MAX_HEAD_BYTES = 24 * 1024;
/** Header fields and header bytes of one request: a tracker client sends a few short ones. */
export const MAX_HEADERS = 64;
export const MAX_HEADER_BYTES = 8192;
/** Unsent reply bytes per connection before reading stops. */
export const MAX_PENDING_OUTPUT = 16 * 1024;
/** Received bytes kept while paused: one read (64 KiB) beyond a head; more means the reader ignored pause. */
export const MAX_BUFFERED_INPUT = MAX_HEAD_BYTES + 64 * 1024;
/** Bodies up to this size are joined into the reply text; larger ones are written as Buffers. */
const INLINE_BODY_BYTES = 8 * 1024;
/** Joined reply text is written once it reaches this size. */
const FLUSH_BYTES = 8 * 1024;

const OK_TEXT_PREFIX = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ';
export const TEXT_HEADERS = 'Content-Type: text/plain\r\n';
const INTERNAL_ERROR = textReply(500, 'Internal Server Error', false);
const ALLOW_HEADERS = `${TEXT_HEADERS}Allow: GET, HEAD\r\n`;
const METHOD_NOT_ALLOWED = textReply(405, 'Only GET is supported.', false, ALLOW_HEADERS);
const METHOD_NOT_ALLOWED_CLOSE = textReply(405, 'Only GET is supported.', true, ALLOW_HEADERS);
const BODY_REFUSED = textReply(413, 'Requests must not have a body.', true);
const HEADERS_TOO_LARGE = textReply(431, `At most ${MAX_HEADERS} header fields and ${MAX_HEADER_BYTES} bytes of headers.`, true);

function textReply(status: number, text: string, close: boolean, headers = TEXT_HEADERS): WireResponse {
  return { status, headers, body: Buffer.from(text + '\n'), close };
}

export interface FramerDeps {
  route(r: WireRequest): WireResponse;
  readonly counters: WireCounters;
  /** Told about a route that threw (after the 500 is queued); must not throw. */
  onRouteError(err: unknown, r: WireRequest): void;
  /** Longest request target (URL) answered; longer ones get 414 and a close. */
  readonly maxUrlBytes: number;
}

export interface Framer {
  /** A chunk arrived. */
  feed(conn: FrameConn, chunk: string, now: number): void;
  /** The sink drained after a pause: frame what is buffered, and the caller reads again unless paused anew. */
  resume(conn: FrameConn, now: number): void;
}

export function createFramer(deps: FramerDeps): Framer {
  const c = deps.counters;
  const limits: TransportLimits = {
    maxUrlBytes: deps.maxUrlBytes,
    uriTooLong: textReply(414, `The request line is limited to ${deps.maxUrlBytes} bytes.`, true),
  };

  return {
    feed(conn, chunk, now) {
      if (conn.closing) return;
      conn.buf = conn.buf.length === 0 ? chunk : conn.buf + chunk;
      if (conn.paused) {
        // the caller stopped reading; a chunk already on its way is kept, a reader that ignores the pause is not
        if (conn.buf.length > MAX_BUFFERED_INPUT) closeWith(conn, '', 431, c);
        return;
      }
      pump(conn, now, deps, limits);
    },
    resume(conn, now) {
      if (conn.closing || !conn.paused) return;
      conn.paused = false;
      pump(conn, now, deps, limits);
    },
  };
}

/** Frames and answers what is buffered, until the buffer holds no whole head, the output is full, or the connection closes. */
function pump(conn: FrameConn, now: number, deps: FramerDeps, limits: TransportLimits): void {
  const c = deps.counters;
  let out = '';
  let served = false;
  while (!conn.paused) {
    const end = conn.buf.indexOf('\r\n\r\n');
    if (end < 0) {
      if (conn.buf.length > MAX_HEAD_BYTES) return closeWith(conn, out, 431, c);
      break;
    }
    const head = conn.buf.slice(0, end);
    conn.buf = conn.buf.slice(end + 4);
    served = true;
    const parsed = parseHead(head, conn.remoteAddress);
    if (parsed === null) return closeWith(conn, out, 400, c);
    const { request, http10 } = parsed;
    c.tcpRequests++;
    const res = refusal(parsed, limits, c) ?? routeSafely(deps, request);
    const connection = request.headers.get('connection')?.toLowerCase() ?? '';
    const keepAlive = !res.close && !conn.aged && (http10 ? connection === 'keep-alive' : !connection.includes('close'));
    const bodyLen = res.body.length;
    const isHead = request.method === 'HEAD';
    let queued = -1;
    if (!keepAlive && out.length === 0 && !isHead && bodyLen <= INLINE_BODY_BYTES) {
      // the reply of a one-request connection, how most clients announce: written as one Buffer, the body
      // copied once; as latin1 text it would be copied into a string here and out of it again in the socket
      const head = serializeHead(res.status, res.headers, bodyLen, false, http10);
      const bytes = Buffer.allocUnsafe(head.length + bodyLen);
      bytes.write(head, 0, 'latin1');
      res.body.copy(bytes, head.length);
      return finish(conn, bytes, res.close);
    }
    if (res.status === 200 && keepAlive && !http10 && res.headers === TEXT_HEADERS && !isHead && bodyLen <= INLINE_BODY_BYTES) {
      // the announce/scrape reply on a kept-alive connection: one concatenation, no header assembly
      out += OK_TEXT_PREFIX + bodyLen + '\r\n\r\n' + res.body.toString('latin1');
    } else if (isHead || bodyLen <= INLINE_BODY_BYTES) {
      out += serializeHead(res.status, res.headers, bodyLen, keepAlive, http10) + (isHead ? '' : res.body.toString('latin1'));
    } else {
      conn.sink.write(out + serializeHead(res.status, res.headers, bodyLen, keepAlive, http10));
      out = '';
      queued = conn.sink.write(res.body);
    }
    if (!keepAlive) return finish(conn, out, res.close);
    if (out.length >= FLUSH_BYTES) {
      queued = conn.sink.write(out);
      out = '';
    }
    if (queued >= MAX_PENDING_OUTPUT) pause(conn, c);
  }
  if (out.length > 0 && conn.sink.write(out) >= MAX_PENDING_OUTPUT) pause(conn, c);
  // the header timeout runs from a head's first byte: after a complete request, the partial one left in
  // the buffer started in this chunk, so its clock starts now (not when some earlier head began)
  if (conn.paused || conn.buf.length === 0) conn.pendingSince = 0;
  else if (served || conn.pendingSince === 0) conn.pendingSince = now;
}

/** The connection's last reply: nothing more is framed, and the client's end is awaited only if it may still be sending. */
function finish(conn: FrameConn, last: string | Buffer, replyCloses: boolean): void {
  conn.closing = true;
  const linger = conn.buf.length > 0 || replyCloses;
  conn.buf = '';
  conn.pendingSince = 0;
  conn.sink.end(last, linger);
}

interface TransportLimits {
  readonly maxUrlBytes: number;
  readonly uriTooLong: WireResponse;
}

/** The reply to a request that breaks a transport limit (counted), or null for one a route may answer. */
function refusal(p: ParsedHead, limits: TransportLimits, c: WireCounters): WireResponse | null {
  const r = p.request;
  if (r.method !== 'GET' && r.method !== 'HEAD') {
    return refuse(c, '405 Method Not Allowed', p.hasBody ? METHOD_NOT_ALLOWED_CLOSE : METHOD_NOT_ALLOWED);
  }
  // a GET with a body is not a tracker client; the body is not read, so the connection cannot go on
  if (p.hasBody) return refuse(c, '413 Payload Too Large', BODY_REFUSED);
  if (p.headerCount > MAX_HEADERS || p.headerBytes > MAX_HEADER_BYTES) {
    return refuse(c, '431 Request Header Fields Too Large', HEADERS_TOO_LARGE);
  }
  if (r.url.length > limits.maxUrlBytes) return refuse(c, '414 URI Too Long', limits.uriTooLong);
  return null;
}

function refuse(c: WireCounters, kind: HttpErrorKind, res: WireResponse): WireResponse {
  c.httpError(kind);
  return res;
}

/** A route that throws gives its request a 500; the connection goes on. */
function routeSafely(deps: FramerDeps, r: WireRequest): WireResponse {
  try {
    return deps.route(r);
  } catch (err) {
    deps.counters.tcpErrors++;
    deps.counters.httpError('500 Internal Server Error');
    deps.onRouteError(err, r);
    return INTERNAL_ERROR;
  }
}

/** Input that cannot be framed: the last reply, and nothing more is read. */
function closeWith(conn: FrameConn, out: string, status: 400 | 431, c: WireCounters): void {
  c.httpError(status === 400 ? '400 Invalid Request' : '431 Request Header Fields Too Large');
  const text = status === 400 ? 'Bad Request\n' : 'Request head too large.\n';
  finish(conn, out + serializeHead(status, TEXT_HEADERS, text.length, false, false) + text, true);
}

function pause(conn: FrameConn, c: WireCounters): void {
  conn.paused = true;
  c.tcpPaused++;
}

/** The statuses the tracker sends; a table here spares loading node:http (about 1 MiB of resident memory). */
const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  302: 'Found',
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
};

function serializeHead(status: number, headers: string, bodyLen: number, keepAlive: boolean, http10: boolean): string {
  const version = http10 ? 'HTTP/1.0' : 'HTTP/1.1';
  const connection = keepAlive ? (http10 ? 'Connection: keep-alive\r\n' : '') : 'Connection: close\r\n';
  return `${version} ${status} ${REASONS[status] ?? 'Unknown'}\r\n${headers}Content-Length: ${bodyLen}\r\n${connection}\r\n`;
}

/** A request head as framed: the request a route sees, and what the transport limits are checked on. */
export interface ParsedHead {
  readonly request: WireRequest;
  readonly http10: boolean;
  readonly headerCount: number;
  /** Bytes of the header lines (after the request line). */
  readonly headerBytes: number;
  /** Content-Length other than 0, or Transfer-Encoding: the request has a body. */
  readonly hasBody: boolean;
}

/** Request line and headers; null when they are not HTTP/1.x. */
export function parseHead(head: string, remoteAddress: string): ParsedHead | null {
  // tolerate leading empty lines between pipelined requests (RFC 9112 §2.2)
  let start = 0;
  while (head.startsWith('\r\n', start)) start += 2;
  let lineEnd = head.indexOf('\r\n', start);
  if (lineEnd < 0) lineEnd = head.length;
  const line = head.slice(start, lineEnd);
  const sp1 = line.indexOf(' ');
  // the version has no space, so a valid line's last space is 9 chars from its end (String#lastIndexOf is a
  // runtime call in V8, not inlined code)
  const sp2 = line.length - 9;
  if (sp1 <= 0 || sp2 <= sp1 || line.charCodeAt(sp2) !== 32) return null;
  const method = line.slice(0, sp1);
  const url = line.slice(sp1 + 1, sp2);
  const version = line.slice(sp2 + 1);
  if (version !== 'HTTP/1.1' && version !== 'HTTP/1.0') return null;
  if (url.length === 0 || /[\x00-\x20\x7f]/.test(url)) return null;
  // each field is checked here and recorded where it lies; values are read when asked for (http-headers.ts)
  const headers = RequestHeaders.read(head, lineEnd + 2);
  if (headers === null) return null;
  // RFC 9112 §3.2: an HTTP/1.1 request without Host is answered 400
  if (version === 'HTTP/1.1' && !headers.has('host')) return null;
  const cl = headers.get('content-length');
  const hasBody = (cl !== undefined && cl !== '0') || headers.has('transfer-encoding');
  return {
    request: { method, url, headers, remoteAddress },
    http10: version === 'HTTP/1.0',
    headerCount: headers.count,
    headerBytes: head.length - lineEnd,
    hasBody,
  };
}
