import type { Logger } from '../../../libs/common/src/log.js';
import { ProtocolError, encodeFailure } from '../../../libs/protocol/src/index.js';
import { clientIp } from '../../../libs/net/src/index.js';
import { createFullScrapeRoute } from './full-scrape.js';
import { createAnnounceRoutes } from './http-announce.js';
import type { HeaderFields } from './http-headers.js';
import { errorReply, maybeGzip, ok } from './http-reply.js';
import { healthOf } from './health.js';
import { renderMetrics } from './metrics.js';
import { renderStats } from './stats-modes.js';
import type { Clock, Tracker } from './tracker.js';

/**
 * What the tracker answers over HTTP: announce, scrape, full scrape, /stats, /metrics, /health, redirect. A pure
 * function of a parsed request (plus the tracker's state): http-framer.ts frames requests and refuses what
 * breaks a transport limit (method, body, header and URL sizes) before a route sees it; http-wire.ts owns the
 * sockets. Client errors on announce/scrape are HTTP 200 with a bencoded failure reason (http-announce.ts).
 */
export interface HttpOptions {
  readonly statsPath: string;
  readonly redirectUrl: string | null;
  readonly scrapeMax: number;
  readonly closedMode: boolean;
  isStatsClient(ip: string): boolean;
  isTrustedProxy(ip: string): boolean;
  readonly hasTrustedProxies: boolean;
}

export interface WireRequest {
  readonly method: string;
  readonly url: string;
  /** Looked up by lower-case name (http-headers.ts). */
  readonly headers: HeaderFields;
  readonly remoteAddress: string;
}

export interface WireResponse {
  readonly status: number;
  /** Header lines without Content-Length and Connection, each ending in \r\n. */
  readonly headers: string;
  readonly body: Buffer;
  /** Close the connection after this reply. */
  readonly close: boolean;
}

const NOT_FOUND = 'Not Found. This is a BitTorrent tracker: announce at /announce, scrape at /scrape.';
const HEALTH_HEADERS = 'Content-Type: application/json\r\nCache-Control: no-store\r\n';
const METRICS_HEADERS = 'Content-Type: text/plain; version=0.0.4\r\n';

export function createHttpRoutes(tracker: Tracker, opts: HttpOptions, clock: Clock, log: Logger): (r: WireRequest) => WireResponse {
  const c = tracker.counters;
  const statsPath = '/' + opts.statsPath;
  const announces = createAnnounceRoutes(tracker, opts.scrapeMax);
  const fullScrape = createFullScrapeRoute(tracker, opts, clock);
  const stats = createStatsRoute(tracker, opts, clock);

  function peerIp(r: WireRequest): string {
    // without trusted proxies the header is never read, so skip parsing it (hot path)
    return opts.hasTrustedProxies ? clientIp(r.remoteAddress, r.headers.get('x-forwarded-for'), opts.isTrustedProxy) : r.remoteAddress;
  }

  function dispatch(r: WireRequest): WireResponse {
    const url = r.url;
    const q = url.indexOf('?');
    let path = q < 0 ? url : url.slice(0, q);
    const query = q < 0 ? null : url.slice(q + 1);
    if (path.startsWith('//')) path = '/' + path.replace(/^\/+/, '');
    switch (path) {
      case '/announce':
      case '/announce.php':
        return announces.announce(query ?? '', peerIp(r));
      case '/scrape':
      case '/scrape.php':
        return query === null ? fullScrape(r, peerIp(r)) : announces.scrape(query);
      case statsPath:
        return stats(r, peerIp(r), query, false);
      case '/metrics':
        return stats(r, peerIp(r), query, true);
      case '/health':
        return ok(Buffer.from(`${JSON.stringify(healthOf(tracker))}\n`), HEALTH_HEADERS);
      case '/':
        if (opts.redirectUrl !== null) {
          c.httpError('302 Redirect');
          return { status: 302, headers: `Location: ${opts.redirectUrl}\r\n`, body: Buffer.alloc(0), close: false };
        }
        break;
    }
    return errorReply(c, 404, '404 Not Found', NOT_FOUND);
  }

  return function route(r: WireRequest): WireResponse {
    try {
      return dispatch(r);
    } catch (err) {
      if (err instanceof ProtocolError) {
        c.failure(err.code);
        return ok(encodeFailure(err.message));
      }
      log.error({ err, url: r.url.slice(0, 200) }, 'request failed');
      // the request was framed whole, so the connection and the requests pipelined after it go on
      return errorReply(c, 500, '500 Internal Server Error', 'Internal Server Error');
    }
  };
}

/** /stats (opentracker's modes) and /metrics (Prometheus), for stats clients only. */
function createStatsRoute(
  tracker: Tracker,
  opts: Pick<HttpOptions, 'isStatsClient'>,
  clock: Clock,
): (r: WireRequest, ip: string, query: string | null, metrics: boolean) => WireResponse {
  const c = tracker.counters;
  return function stats(r, ip, query, metrics) {
    if (!opts.isStatsClient(ip)) return errorReply(c, 403, '403 Access Denied', 'Access Denied');
    if (metrics) return ok(Buffer.from(renderMetrics(tracker, clock.now(), process.memoryUsage())), METRICS_HEADERS);
    const params = new URLSearchParams(query ?? '');
    const reply = renderStats(tracker, params.get('mode'), params.get('format'), clock.now(), params);
    if (reply.status !== 200) return errorReply(c, 400, '400 Invalid Request', reply.body.toString().trimEnd());
    if (reply.compressible) return maybeGzip(r, reply.body, reply.contentType);
    return ok(reply.body, `Content-Type: ${reply.contentType}\r\n`);
  };
}
