import {
  PROTOCOL_ERROR_TEXTS,
  encodeAnnounce,
  encodeAnnounceDict,
  encodeAnnounceStopped,
  encodeFailure,
  encodeScrape,
  parseAnnounceQuery,
  parseScrapeQuery,
} from '../../../libs/protocol/src/index.js';
import { readCompactIp, readCompactPort } from '../../../libs/swarm/src/index.js';
import { createAnnounceExchange, type AnnounceFailure, type TransportPolicy } from './announce-exchange.js';
import { ok } from './http-reply.js';
import type { WireResponse } from './http-routes.js';
import type { ScrapeRow, Tracker } from './tracker.js';

/**
 * Announce and scrape over HTTP (BEP 3, BEP 23 compact lists, BEP 7 IPv6 peers, BEP 48 scrape). Client errors are
 * HTTP 200 with a bencoded failure reason, which every client shows to its user: the parsers throw a
 * ProtocolError, the route turns it into that reply.
 */

/** An HTTP reply can carry any number of peers of both families: only the tracker's numwantMax applies. */
const HTTP_POLICY: TransportPolicy = { numwantCapV4: Infinity, numwantCapV6: Infinity, bothFamilies: true, counter: 'tcpAnnounces' };

const FAILURE_BODIES: Readonly<Record<AnnounceFailure, Buffer>> = {
  NOT_AUTHORIZED: encodeFailure(PROTOCOL_ERROR_TEXTS.NOT_AUTHORIZED),
  BAD_PORT: encodeFailure(PROTOCOL_ERROR_TEXTS.BAD_PORT),
  BAD_ADDRESS: encodeFailure(PROTOCOL_ERROR_TEXTS.BAD_ADDRESS),
};

export interface AnnounceRoutes {
  /** `ip`: the announcer (the connection's address, or the client behind a trusted proxy). */
  announce(query: string, ip: string): WireResponse;
  scrape(query: string): WireResponse;
}

export function createAnnounceRoutes(tracker: Tracker, scrapeMax: number): AnnounceRoutes {
  const c = tracker.counters;
  const exchange = createAnnounceExchange(tracker, c, HTTP_POLICY);
  return {
    announce(query, ip) {
      const a = parseAnnounceQuery(query);
      const reply = exchange.announce(a, a.numwant, ip);
      if (typeof reply === 'string') return ok(FAILURE_BODIES[reply]);
      if (reply.stopped) return ok(encodeAnnounceStopped(reply));
      if (a.compact) return ok(encodeAnnounce(reply));
      return ok(encodeAnnounceDict({ ...reply, peers: [...listPeers(reply.peers, 6), ...listPeers(reply.peers6, 18)] }));
    },
    scrape(query) {
      const s = parseScrapeQuery(query, scrapeMax);
      c.tcpScrapes++;
      return ok(encodeScrape(tracker.scrape(s.infoHashes).filter((row): row is ScrapeRow => row !== null)));
    },
  };
}

function listPeers(compact: Buffer | null, len: 6 | 18): Array<{ ip: string; port: number }> {
  const out: Array<{ ip: string; port: number }> = [];
  if (compact === null) return out;
  for (let off = 0; off + len <= compact.length; off += len) {
    out.push({ ip: readCompactIp(compact, off, len), port: readCompactPort(compact, off, len) });
  }
  return out;
}
