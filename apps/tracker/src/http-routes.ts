import type { Logger } from '../../../libs/common/src/log.js';
import {
  ProtocolError, encodeAnnounce, encodeAnnounceDict, encodeAnnounceStopped, encodeFailure, encodeScrape,
  parseAnnounceQuery, parseScrapeQuery,
} from '../../../libs/protocol/src/index.js';
import { clientIp } from '../../../libs/net/src/index.js';
import { readCompactIp, readCompactPort, writeCompact } from '../../../libs/swarm/src/index.js';
import type { HttpErrorKind } from './counters.js';
import { healthOf } from './health.js';
import { renderMetrics } from './metrics.js';
import { renderStats } from './stats-modes.js';
import type { Clock, ScrapeRow, Tracker } from './tracker.js';

/**
 * What the tracker answers over HTTP: announce, scrape, full scrape, /stats, /metrics, redirect. A pure
 * function of a parsed request (plus the tracker's state); http-wire.ts owns sockets and framing.
 * Client errors on announce/scrape are HTTP 200 with a bencoded failure reason, which every client shows to
 * its user; transport errors (414, 431, 405, 413 for a body) are short text with the right status.
 */
export interface HttpOptions {
  readonly statsPath: string;
  readonly redirectUrl: string | null;
  readonly maxUrlBytes: number;
  readonly scrapeMax: number;
  readonly numwantMax: number;
  readonly closedMode: boolean;
  isStatsClient(ip: string): boolean;
  isTrustedProxy(ip: string): boolean;
  readonly hasTrustedProxies: boolean;
}

export interface WireRequest {
  readonly method: string;
  readonly url: string;
  /** Lower-case names; repeated headers joined with ', '. */
  readonly headers: ReadonlyMap<string, string>;
  readonly headerCount: number;
  readonly headerBytes: number;
  readonly remoteAddress: string;
  readonly hasBody: boolean;
}

export interface WireResponse {
  readonly status: number;
  /** Header lines without Content-Length and Connection, each ending in \r\n. */
  readonly headers: string;
  readonly body: Buffer;
  /** Close the connection after this reply. */
  readonly close: boolean;
}

export const MAX_HEADERS = 64;
export const MAX_HEADER_BYTES = 8192;
const TEXT = 'Content-Type: text/plain\r\n';
const NOT_AUTHORIZED = encodeFailure(new ProtocolError('NOT_AUTHORIZED').message);
/** How long one full scrape is served before it is built again. */
export const FULL_SCRAPE_TTL_MS = 2000;
const FULL_SCRAPE_PLAIN = 'Content-Type: text/plain\r\nVary: Accept-Encoding\r\n';
const FULL_SCRAPE_GZIP = 'Content-Type: text/plain\r\nContent-Encoding: gzip\r\nVary: Accept-Encoding\r\n';

export function createHttpRoutes(tracker: Tracker, opts: HttpOptions, clock: Clock, log: Logger): (r: WireRequest) => WireResponse {
  const c = tracker.counters;
  const statsPath = '/' + opts.statsPath;
  const addr = Buffer.alloc(18);

  function ok(body: Buffer, headers = TEXT): WireResponse {
    return { status: 200, headers, body, close: false };
  }

  function error(status: number, kind: HttpErrorKind, message: string, close = false, headers = TEXT): WireResponse {
    c.httpError(kind);
    return { status, headers, body: Buffer.from(message + '\n'), close };
  }

  function peerIp(r: WireRequest): string {
    // without trusted proxies the header is never read, so skip parsing it (hot path)
    return opts.hasTrustedProxies ? clientIp(r.remoteAddress, r.headers.get('x-forwarded-for'), opts.isTrustedProxy) : r.remoteAddress;
  }

  function announce(r: WireRequest, query: string): WireResponse {
    const a = parseAnnounceQuery(query);
    const ip = peerIp(r);
    const addrLen = writeCompact(ip, a.port, addr);
    if (addrLen === 0) throw new Error(`unusable client address ${JSON.stringify(ip)}`);
    const reply = tracker.announce({
      infoHash: a.infoHash,
      addr,
      addrLen,
      seeder: a.left === 0,
      downloaded: a.downloaded,
      event: a.event,
      peerId: a.peerId,
      numwant: a.numwant,
      numwantCap: opts.numwantMax,
      bothFamilies: true,
    });
    c.tcpAnnounces++;
    if (reply === null) return ok(NOT_AUTHORIZED);
    if (reply.stopped) return ok(encodeAnnounceStopped(reply));
    if (a.compact) return ok(encodeAnnounce(reply));
    return ok(encodeAnnounceDict({ ...reply, peers: [...listPeers(reply.peers, 6), ...listPeers(reply.peers6, 18)] }));
  }

  function scrape(r: WireRequest, query: string | null): WireResponse {
    if (query === null) {
      // full scrape: every torrent's counts. In closed mode that list is the publisher's catalogue, so only for stats clients
      if (opts.closedMode && !opts.isStatsClient(peerIp(r))) {
        return error(403, '403 Access Denied', 'Full scrape is restricted to stats clients in closed mode.');
      }
      const gzip = acceptsGzip(r);
      const body = fullScrapeBody(gzip);
      c.fullScrapes++;
      c.fullScrapeBytes += body.length;
      return ok(body, gzip ? FULL_SCRAPE_GZIP : FULL_SCRAPE_PLAIN);
    }
    const s = parseScrapeQuery(query, opts.scrapeMax);
    c.tcpScrapes++;
    return ok(encodeScrape(tracker.scrape(s.infoHashes).filter((row): row is ScrapeRow => row !== null)));
  }

  function stats(r: WireRequest, query: string | null, metrics: boolean): WireResponse {
    if (!opts.isStatsClient(peerIp(r))) return error(403, '403 Access Denied', 'Access Denied');
    if (metrics) return ok(Buffer.from(renderMetrics(tracker, clock.now(), process.memoryUsage())), 'Content-Type: text/plain; version=0.0.4\r\n');
    const params = new URLSearchParams(query ?? '');
    const reply = renderStats(tracker, params.get('mode'), params.get('format'), clock.now(), params);
    if (reply.status !== 200) return error(400, '400 Invalid Request', reply.body.toString().trimEnd());
    if (reply.compressible) return maybeGzip(r, reply.body, reply.contentType);
    return ok(reply.body, `Content-Type: ${reply.contentType}\r\n`);
  }

  /**
   * The full scrape is built at most once per FULL_SCRAPE_TTL_MS and shared by every reply in that time:
   * building it walks every torrent (20,000 take tens of ms), and a client that asks for it hundreds of
   * times at once must not cost hundreds of builds. One copy (plus its gzip) is kept; its size follows the
   * number of torrents, which is capped.
   */
  let fullScrape: { at: number; plain: Buffer; gzip: Buffer | null } | null = null;
  function fullScrapeBody(gzip: boolean): Buffer {
    const now = clock.now();
    if (fullScrape === null || now - fullScrape.at >= FULL_SCRAPE_TTL_MS || now < fullScrape.at) {
      fullScrape = { at: now, plain: encodeScrape(tracker.allRows()), gzip: null };
    }
    if (!gzip) return fullScrape.plain;
    return (fullScrape.gzip ??= gzipSync(fullScrape.plain));
  }

  function acceptsGzip(r: WireRequest): boolean {
    return /\bgzip\b/.test(r.headers.get('accept-encoding') ?? '');
  }

  function maybeGzip(r: WireRequest, body: Buffer, contentType: string): WireResponse {
    if (acceptsGzip(r)) {
      return ok(gzipSync(body), `Content-Type: ${contentType}\r\nContent-Encoding: gzip\r\nVary: Accept-Encoding\r\n`);
    }
    return ok(body, `Content-Type: ${contentType}\r\nVary: Accept-Encoding\r\n`);
  }

  return function route(r: WireRequest): WireResponse {
    c.tcpRequests++;
    try {
      if (r.method !== 'GET' && r.method !== 'HEAD') {
        return error(405, '405 Method Not Allowed', 'Only GET is supported.', r.hasBody, `${TEXT}Allow: GET, HEAD\r\n`);
      }
      // a GET with a body is not a tracker client; the body is not read, so the connection cannot go on
      if (r.hasBody) return error(413, '413 Payload Too Large', 'Requests must not have a body.', true);
      if (r.headerCount > MAX_HEADERS || r.headerBytes > MAX_HEADER_BYTES) {
        return error(431, '431 Request Header Fields Too Large', `At most ${MAX_HEADERS} header fields and ${MAX_HEADER_BYTES} bytes of headers.`, true);
      }
      const url = r.url;
      if (url.length > opts.maxUrlBytes) return error(414, '414 URI Too Long', `The request line is limited to ${opts.maxUrlBytes} bytes.`, true);
      const q = url.indexOf('?');
      let path = q < 0 ? url : url.slice(0, q);
      const query = q < 0 ? null : url.slice(q + 1);
      if (path.startsWith('//')) path = '/' + path.replace(/^\/+/, '');
      switch (path) {
        case '/announce':
        case '/announce.php':
          return announce(r, query ?? '');
        case '/scrape':
        case '/scrape.php':
          return scrape(r, query);
        case statsPath:
          return stats(r, query, false);
        case '/metrics':
          return stats(r, query, true);
        case '/health':
          return ok(Buffer.from(`${JSON.stringify(healthOf(tracker))}\n`), 'Content-Type: application/json\r\nCache-Control: no-store\r\n');
        case '/':
          if (opts.redirectUrl !== null) {
            c.httpError('302 Redirect');
            return { status: 302, headers: `Location: ${opts.redirectUrl}\r\n`, body: Buffer.alloc(0), close: false };
          }
          break;
      }
      return error(404, '404 Not Found', 'Not Found. This is a BitTorrent tracker: announce at /announce, scrape at /scrape.');
    } catch (err) {
      if (err instanceof ProtocolError) {
        c.failure(err.code);
        return ok(encodeFailure(err.message));
      }
      log.error({ err, url: r.url.slice(0, 200) }, 'request failed');
      // the request was framed whole, so the connection and the requests pipelined after it go on
      return error(500, '500 Internal Server Error', 'Internal Server Error');
    }
  };
}

/** node:zlib is loaded at the first gzip reply (full scrape, stats), not at start: most trackers never need it. */
function gzipSync(data: Buffer): Buffer {
  return process.getBuiltinModule('node:zlib').gzipSync(data);
}

function listPeers(compact: Buffer | null, len: 6 | 18): Array<{ ip: string; port: number }> {
  const out: Array<{ ip: string; port: number }> = [];
  if (compact === null) return out;
  for (let off = 0; off + len <= compact.length; off += len) out.push({ ip: readCompactIp(compact, off, len), port: readCompactPort(compact, off, len) });
  return out;
}
