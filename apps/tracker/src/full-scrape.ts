import { encodeScrape } from '../../../libs/protocol/src/index.js';
import { acceptsGzip, errorReply, gzipSync, ok } from './http-reply.js';
import type { WireRequest, WireResponse } from './http-routes.js';
import type { Clock, Tracker } from './tracker.js';

/** How long one full scrape is served before it is built again. */
export const FULL_SCRAPE_TTL_MS = 2000;
const FULL_SCRAPE_PLAIN = 'Content-Type: text/plain\r\nVary: Accept-Encoding\r\n';
const FULL_SCRAPE_GZIP = 'Content-Type: text/plain\r\nContent-Encoding: gzip\r\nVary: Accept-Encoding\r\n';

export interface FullScrapeOptions {
  readonly closedMode: boolean;
  isStatsClient(ip: string): boolean;
}

/**
 * /scrape without an info_hash: every torrent's counts. In closed mode that list is the publisher's
 * catalogue, so only stats clients get it.
 *
 * It is built at most once per FULL_SCRAPE_TTL_MS and shared by every reply in that time: building it walks
 * every torrent (20,000 take tens of ms), and a client that asks for it hundreds of times at once must not
 * cost hundreds of builds. One copy (plus its gzip) is kept; its size follows the number of torrents, which
 * is capped.
 */
export function createFullScrapeRoute(
  tracker: Tracker,
  opts: FullScrapeOptions,
  clock: Clock,
): (r: WireRequest, ip: string) => WireResponse {
  const c = tracker.counters;
  let cached: { at: number; plain: Buffer; gzip: Buffer | null } | null = null;

  function body(gzip: boolean): Buffer {
    const now = clock.now();
    if (cached === null || now - cached.at >= FULL_SCRAPE_TTL_MS || now < cached.at) {
      cached = { at: now, plain: encodeScrape(tracker.allRows()), gzip: null };
    }
    if (!gzip) return cached.plain;
    return (cached.gzip ??= gzipSync(cached.plain));
  }

  return function fullScrape(r, ip) {
    if (opts.closedMode && !opts.isStatsClient(ip)) {
      return errorReply(c, 403, '403 Access Denied', 'Full scrape is restricted to stats clients in closed mode.');
    }
    const gzip = acceptsGzip(r);
    const b = body(gzip);
    c.fullScrapes++;
    c.fullScrapeBytes += b.length;
    return ok(b, gzip ? FULL_SCRAPE_GZIP : FULL_SCRAPE_PLAIN);
  };
}
