import http from 'node:http';
import zlib from 'node:zlib';
import type { Logger } from '../../../libs/common/src/log.js';
import {
  ProtocolError, encodeAnnounce, encodeAnnounceDict, encodeAnnounceStopped, encodeFailure, encodeScrape,
  parseAnnounceQuery, parseScrapeQuery,
} from '../../../libs/protocol/src/index.js';
import { clientIp } from '../../../libs/net/src/index.js';
import { readCompactIp, readCompactPort, writeCompact } from '../../../libs/swarm/src/index.js';
import type { HttpErrorKind } from './counters.js';
import { renderMetrics } from './metrics.js';
import { renderStats } from './stats-modes.js';
import type { Clock, ScrapeRow, Tracker } from './tracker.js';

/**
 * The HTTP side: announce, scrape, full scrape, /stats, /metrics on bare node:http (express would cost ~5x
 * the CPU per request and its query parser destroys binary info_hashes).
 * Client errors on announce/scrape are HTTP 200 with a bencoded failure reason, which every client shows to
 * its user; transport errors (414, 431, 405, 400 for a body) are short text with the right status.
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

const MAX_HEADERS = 64;
const MAX_HEADER_BYTES = 8192;
/** Node's parser limit covers the request line too: above both of ours, so that we can tell 414 from 431. */
const PARSER_MAX_HEADER_SIZE = 24 * 1024;
const TEXT_HEADERS = { 'Content-Type': 'text/plain' };
const NOT_AUTHORIZED = encodeFailure(new ProtocolError('NOT_AUTHORIZED').message);

export function createHttpHandler(tracker: Tracker, opts: HttpOptions, clock: Clock, log: Logger): http.RequestListener {
  const c = tracker.counters;
  const statsPath = '/' + opts.statsPath;
  const addr = Buffer.alloc(18);

  function send(res: http.ServerResponse, status: number, body: Buffer | string, headers: Record<string, string> = TEXT_HEADERS): void {
    const buf = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, { ...headers, 'Content-Length': String(buf.length) });
    if (res.req.method === 'HEAD') res.end();
    // as a latin1 string the body goes out in the same write as the headers (one syscall, no writev)
    else if (buf.length <= 4096) res.end(buf.toString('latin1'), 'latin1');
    else res.end(buf);
  }

  function error(res: http.ServerResponse, status: number, kind: HttpErrorKind, message: string): void {
    c.httpError(kind);
    send(res, status, message + '\n');
  }

  function failure(res: http.ServerResponse, err: unknown): void {
    if (!(err instanceof ProtocolError)) throw err;
    c.failure(err.code);
    send(res, 200, encodeFailure(err.message));
  }

  function peerIp(req: http.IncomingMessage): string {
    const remote = req.socket.remoteAddress ?? '';
    // without trusted proxies the header is never read, so skip parsing it (hot path)
    return opts.hasTrustedProxies ? clientIp(remote, req.headers['x-forwarded-for'], opts.isTrustedProxy) : remote;
  }

  function announce(req: http.IncomingMessage, res: http.ServerResponse, query: string): void {
    const a = parseAnnounceQuery(query);
    const ip = peerIp(req);
    const addrLen = writeCompact(ip, a.port, addr);
    if (addrLen === 0) throw new Error(`unusable client address ${JSON.stringify(ip)}`);
    const reply = tracker.announce({
      infoHash: a.infoHash,
      addr,
      addrLen,
      seeder: a.left === 0,
      event: a.event,
      peerId: a.peerId,
      numwant: a.numwant,
      numwantCap: opts.numwantMax,
      bothFamilies: true,
    });
    c.tcpAnnounces++;
    if (reply === null) {
      send(res, 200, NOT_AUTHORIZED);
      return;
    }
    if (reply.stopped) send(res, 200, encodeAnnounceStopped(reply));
    else if (a.compact) send(res, 200, encodeAnnounce(reply));
    else send(res, 200, encodeAnnounceDict({ ...reply, peers: [...listPeers(reply.peers, 6), ...listPeers(reply.peers6, 18)] }));
  }

  function scrape(req: http.IncomingMessage, res: http.ServerResponse, query: string | null): void {
    if (query === null) {
      // full scrape: every torrent's counts. In closed mode that list is the publisher's catalogue, so only for stats clients
      if (opts.closedMode && !opts.isStatsClient(peerIp(req))) {
        error(res, 403, '403 Access Denied', 'Full scrape is restricted to stats clients in closed mode.');
        return;
      }
      const body = encodeScrape(tracker.allRows());
      c.fullScrapes++;
      c.fullScrapeBytes += body.length;
      sendMaybeGzip(req, res, body, 'text/plain');
      return;
    }
    const s = parseScrapeQuery(query, opts.scrapeMax);
    c.tcpScrapes++;
    const rows = tracker.scrape(s.infoHashes).filter((r): r is ScrapeRow => r !== null);
    send(res, 200, encodeScrape(rows));
  }

  function stats(req: http.IncomingMessage, res: http.ServerResponse, query: string | null, metrics: boolean): void {
    if (!opts.isStatsClient(peerIp(req))) {
      error(res, 403, '403 Access Denied', 'Access Denied');
      return;
    }
    if (metrics) {
      send(res, 200, renderMetrics(tracker, clock.now(), process.memoryUsage()), { 'Content-Type': 'text/plain; version=0.0.4' });
      return;
    }
    const params = new URLSearchParams(query ?? '');
    const reply = renderStats(tracker, params.get('mode'), params.get('format'), clock.now());
    if (reply.status !== 200) c.httpError('400 Invalid Request');
    if (reply.compressible) sendMaybeGzip(req, res, reply.body, reply.contentType);
    else send(res, reply.status, reply.body, { 'Content-Type': reply.contentType });
  }

  function sendMaybeGzip(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, contentType: string): void {
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
      send(res, 200, zlib.gzipSync(body), { 'Content-Type': contentType, 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding' });
    } else {
      send(res, 200, body, { 'Content-Type': contentType, Vary: 'Accept-Encoding' });
    }
  }

  return function handle(req, res) {
    c.tcpRequests++;
    res.sendDate = false;
    try {
      const url = req.url ?? '/';
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.setHeader('Allow', 'GET, HEAD');
        error(res, 405, '405 Method Not Allowed', 'Only GET is supported.');
        return;
      }
      if (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0' || req.headers['transfer-encoding'] !== undefined) {
        // a GET with a body is not a tracker client; do not read it, and do not keep the connection
        res.setHeader('Connection', 'close');
        error(res, 413, '413 Payload Too Large', 'Requests must not have a body.');
        return;
      }
      if (req.rawHeaders.length > 2 * MAX_HEADERS || headerBytes(req.rawHeaders) > MAX_HEADER_BYTES) {
        res.setHeader('Connection', 'close');
        error(res, 431, '431 Request Header Fields Too Large', `At most ${MAX_HEADERS} header fields and ${MAX_HEADER_BYTES} bytes of headers.`);
        return;
      }
      if (url.length > opts.maxUrlBytes) {
        res.setHeader('Connection', 'close');
        error(res, 414, '414 URI Too Long', `The request line is limited to ${opts.maxUrlBytes} bytes.`);
        return;
      }
      const q = url.indexOf('?');
      let path = q < 0 ? url : url.slice(0, q);
      const query = q < 0 ? null : url.slice(q + 1);
      if (path.startsWith('//')) path = '/' + path.replace(/^\/+/, '');
      switch (path) {
        case '/announce':
        case '/announce.php':
          announce(req, res, query ?? '');
          return;
        case '/scrape':
        case '/scrape.php':
          scrape(req, res, query);
          return;
        case statsPath:
          stats(req, res, query, false);
          return;
        case '/metrics':
          stats(req, res, query, true);
          return;
        case '/':
          if (opts.redirectUrl !== null) {
            c.httpError('302 Redirect');
            res.writeHead(302, { Location: opts.redirectUrl, 'Content-Length': '0' });
            res.end();
            return;
          }
          break;
      }
      error(res, 404, '404 Not Found', 'Not Found. This is a BitTorrent tracker: announce at /announce, scrape at /scrape.');
    } catch (err) {
      if (err instanceof ProtocolError) {
        failure(res, err);
        return;
      }
      c.httpError('500 Internal Server Error');
      log.error({ err, url: req.url?.slice(0, 200) }, 'request failed');
      if (!res.headersSent) send(res, 500, 'Internal Server Error\n');
      else res.destroy();
    }
  };
}

function headerBytes(raw: string[]): number {
  let n = 0;
  for (const h of raw) n += h.length + 2;
  return n;
}

function listPeers(compact: Buffer | null, len: 6 | 18): Array<{ ip: string; port: number }> {
  const out: Array<{ ip: string; port: number }> = [];
  if (compact === null) return out;
  for (let off = 0; off + len <= compact.length; off += len) out.push({ ip: readCompactIp(compact, off, len), port: readCompactPort(compact, off, len) });
  return out;
}

export interface HttpServerLimits {
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
}

/** node:http with the limits a public tracker needs: small headers (431), header timeout for slow clients. */
export function createTrackerHttpServer(handler: http.RequestListener, limits: HttpServerLimits, tracker: Tracker): http.Server {
  const server = http.createServer({
    maxHeaderSize: PARSER_MAX_HEADER_SIZE,
    requestTimeout: limits.headersTimeoutMs * 3,
    headersTimeout: limits.headersTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionsCheckingInterval: 2000,
    joinDuplicateHeaders: true,
  }, handler);
  server.on('connection', () => { tracker.counters.tcpAccepts++; });
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const code = err.code;
    if (code === 'HPE_HEADER_OVERFLOW') {
      tracker.counters.httpError('431 Request Header Fields Too Large');
      socket.end('HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    } else if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'ECONNRESET') {
      socket.destroy();
    } else {
      tracker.counters.httpError('400 Invalid Request');
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
  });
  return server;
}
