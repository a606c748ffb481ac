import type { Counters, HttpErrorKind } from './counters.js';
import { TEXT_HEADERS } from './http-framer.js';
import type { WireRequest, WireResponse } from './http-routes.js';

/** Reply builders the HTTP routes share: a 200, a counted error, a gzipped body when the client accepts it. */

export function ok(body: Buffer, headers = TEXT_HEADERS): WireResponse {
  return { status: 200, headers, body, close: false };
}

/** A short text reply with an error status, counted by kind for /stats. */
export function errorReply(
  c: Pick<Counters, 'httpError'>,
  status: number,
  kind: HttpErrorKind,
  message: string,
  close = false,
  headers = TEXT_HEADERS,
): WireResponse {
  c.httpError(kind);
  return { status, headers, body: Buffer.from(message + '\n'), close };
}

export function acceptsGzip(r: WireRequest): boolean {
  return /\bgzip\b/.test(r.headers.get('accept-encoding') ?? '');
}

export function maybeGzip(r: WireRequest, body: Buffer, contentType: string): WireResponse {
  if (acceptsGzip(r)) {
    return ok(gzipSync(body), `Content-Type: ${contentType}\r\nContent-Encoding: gzip\r\nVary: Accept-Encoding\r\n`);
  }
  return ok(body, `Content-Type: ${contentType}\r\nVary: Accept-Encoding\r\n`);
}

/** node:zlib is loaded at the first gzip reply (full scrape, stats), not at start: most trackers never need it. */
export function gzipSync(data: Buffer): Buffer {
  return process.getBuiltinModule('node:zlib').gzipSync(data);
}
