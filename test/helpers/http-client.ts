import http from 'node:http';
import net from 'node:net';

/**
 * HTTP clients for tracker tests. httpGet sends the path exactly as given (node:http does not normalise it),
 * rawHttp writes bytes on a bare socket for pipelining and malformed requests, splitResponses parses what
 * came back without trusting the server.
 */
export interface HttpReply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
}

export interface HttpGetOptions {
  readonly method?: string;
  readonly host?: string;
  /** Source address, e.g. 127.0.0.2 to look like a client that is not blessed. */
  readonly localAddress?: string;
  /** A keep-alive agent; by default one connection per request. */
  readonly agent?: http.Agent;
  readonly timeoutMs?: number;
  readonly body?: Buffer | string;
}

export function httpGet(
  port: number,
  pathAndQuery: string,
  headers: http.OutgoingHttpHeaders = {},
  opts: HttpGetOptions = {},
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: opts.host ?? '127.0.0.1',
        port,
        path: pathAndQuery,
        method: opts.method ?? 'GET',
        headers,
        agent: opts.agent ?? false,
        localAddress: opts.localAddress,
        setHost: true,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(opts.timeoutMs ?? 5000, () => req.destroy(new Error(`HTTP ${pathAndQuery.slice(0, 80)} timed out`)));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export interface RawHttpOptions {
  readonly host?: string;
  readonly localAddress?: string;
  /** Give up waiting for the server to close after this long and return what arrived. */
  readonly timeoutMs?: number;
  /** Close our side after writing (default true): the server answers what it has, then closes. */
  readonly endAfterWrite?: boolean;
  /** Stop reading as soon as this returns true. */
  readonly until?: (received: Buffer) => boolean;
}

export interface RawHttpResult {
  readonly data: Buffer;
  /** The server closed the connection (rather than our timeout or `until`). */
  readonly closedByServer: boolean;
}

export function rawHttpDetailed(port: number, bytes: Buffer | string, opts: RawHttpOptions = {}): Promise<RawHttpResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let settled = false;
    const socket = net.connect({ host: opts.host ?? '127.0.0.1', port, localAddress: opts.localAddress, allowHalfOpen: true });
    const finish = (closedByServer: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ data: Buffer.concat(chunks), closedByServer });
    };
    const timer = setTimeout(() => finish(false), opts.timeoutMs ?? 5000);
    socket.on('connect', () => {
      if (opts.endAfterWrite === false) socket.write(bytes);
      else socket.end(bytes);
    });
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      if (opts.until?.(Buffer.concat(chunks))) finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // a reset after the server's reply still counts as its answer
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') finish(true);
      else if (!settled) {
        settled = true;
        clearTimeout(timer);
        reject(err);
      }
    });
  });
}

export async function rawHttp(port: number, bytes: Buffer | string, opts: RawHttpOptions = {}): Promise<Buffer> {
  return (await rawHttpDetailed(port, bytes, opts)).data;
}

export interface ParsedResponse {
  readonly statusLine: string;
  readonly status: number;
  /** Lower-cased names; the last value wins. */
  readonly headers: Readonly<Record<string, string>>;
  readonly head: Buffer;
  readonly body: Buffer;
}

/** Splits a byte stream into HTTP/1.x responses (Content-Length bodies only; chunked is rejected). */
export function splitResponses(data: Buffer): ParsedResponse[] {
  const out: ParsedResponse[] = [];
  let off = 0;
  while (off < data.length) {
    const end = data.indexOf('\r\n\r\n', off);
    if (end < 0)
      throw new Error(`incomplete response head at byte ${off}: ${JSON.stringify(data.subarray(off, off + 200).toString('latin1'))}`);
    const head = data.subarray(off, end + 4);
    const lines = head
      .toString('latin1')
      .split('\r\n')
      .filter((l) => l !== '');
    const statusLine = lines[0] ?? '';
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    if (headers['transfer-encoding'] !== undefined) throw new Error(`unexpected transfer-encoding in ${statusLine}`);
    const len = Number(headers['content-length'] ?? '0');
    const body = data.subarray(end + 4, end + 4 + len);
    if (body.length !== len) throw new Error(`truncated body: ${body.length} of ${len} bytes`);
    out.push({ statusLine, status: Number(statusLine.split(' ')[1]), headers, head, body });
    off = end + 4 + len;
  }
  return out;
}

/** A raw GET request with the given target and extra header lines. */
export function rawGet(target: string, extraHeaders: readonly string[] = [], connection: 'keep-alive' | 'close' = 'close'): string {
  return [`GET ${target} HTTP/1.1`, 'Host: 127.0.0.1', `Connection: ${connection}`, ...extraHeaders, '', ''].join('\r\n');
}

/** A text reply, or why there was none (the error code: ECONNREFUSED, ECONNRESET, TIMEOUT...). */
export type TextResult = { readonly status: number; readonly body: string } | { readonly error: string };

/**
 * A GET by URL that never throws, for tests that kill servers on purpose and count what happened to each
 * request: the body as latin1 text, or the error code.
 */
export function getText(url: string, timeoutMs = 2000, localAddress?: string): Promise<TextResult> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs, localAddress }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
  });
}

/** A 200 reply (narrows a TextResult to its body). */
export function isOk(r: TextResult): r is { readonly status: number; readonly body: string } {
  return 'status' in r && r.status === 200;
}
