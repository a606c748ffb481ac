import fs from 'node:fs/promises';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../../../libs/common/src/log.js';
import type { DayCount } from './chart-svg.js';
import { etagMatches } from './etag.js';
import type { FileSums } from './file-sums.js';
import { HEX40 } from './manifest-parse.js';
import { releaseDetailJson, releaseJson, releasesCsv } from './release-api.js';
import { isWholeFileRequest } from './direct-downloads.js';
import type { PublishedFile } from './published-files.js';
import { releaseSegments, resolveReleaseFile } from './release-files.js';
import type { CurrentLinks, ReleaseView, SiteTotals } from './release-view.js';
import { renderErrorPage, type PollStatus } from './render-pages.js';
import { HTML_CSP, mountSiteRoutes } from './site-routes.js';

/** What the HTTP layer reads; stats-app.ts provides it over the store, catalog and poller. */
export interface StatsSite {
  readonly title: string;
  readonly baseUrl: string;
  readonly releasesDir: string;
  readonly torrentsDir: string;
  /** Trackers and web seeds handed out now, in magnet links and served .torrent files. */
  readonly links: CurrentLinks;
  /** Clock, epoch ms. */
  readonly now: () => number;
  /** SHA-256 of the files of folder releases, computed on demand. */
  readonly fileSums: FileSums;
  /** Brings the catalog up to date (throttled) and returns the current snapshot. */
  snapshot(): Promise<Snapshot>;
  /** Downloads per day over the last `days` days for the given hashes. */
  chart(hashes: ReadonlySet<string>, days: number): DayCount[];
  /** All recorded days with downloads for one hash, oldest first. */
  history(infoHash: string): DayCount[];
  /** The live release a /files/ path belongs to, or null: only published files are served. */
  publishedFile(segments: readonly string[]): Promise<PublishedFile | null>;
  /** A complete GET of a release's file finished sending (counted subject to the per-address limit). */
  directDownload(remoteAddress: string, forwardedFor: string | string[] | undefined, infoHash: string): void;
  /** Counting state for /healthz: source, feed cursor, lost ranges. */
  countHealth?(): unknown;
}

export interface Snapshot {
  /** Changes whenever anything on a page may change: the weak ETag. */
  readonly etag: string;
  readonly releases: readonly ReleaseView[];
  readonly totals: SiteTotals;
  readonly status: PollStatus;
}

/** Sets the shared caching headers and answers 304 when the client already has this version. */
function notModified(req: Request, res: Response, etag: string): boolean {
  res.set({ ETag: etag, 'Cache-Control': 'public, max-age=30', Vary: 'Accept-Encoding' });
  if (etagMatches(req.get('if-none-match'), etag)) {
    res.status(304).end();
    return true;
  }
  return false;
}

function sendHtml(res: Response, status: number, body: string): void {
  res.status(status).set({ 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': HTML_CSP }).send(body);
}

/** Normalises a hash from a URL; 'bad' when it is not 40 hex digits. */
function hashParam(raw: string | undefined): string | 'bad' {
  return raw !== undefined && HEX40.test(raw) ? raw.toLowerCase() : 'bad';
}

/** A missing file falls through to the 404 page; other send errors (416 for a bad Range) keep their status. */
function sendFileDone(err: (Error & { status?: number }) | undefined, res: Response, next: NextFunction): void {
  if (!err || res.headersSent) return;
  if (err.status === 404 || err.status === undefined) next();
  else next(err);
}

async function realDir(dir: string): Promise<string | null> {
  try {
    return await fs.realpath(dir);
  } catch {
    return null;
  }
}

export function createStatsHttpApp(site: StatsSite, log: Logger): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.set('X-Content-Type-Options', 'nosniff');
    next();
  });

  app.get('/healthz', async (_req, res) => {
    const s = await site.snapshot();
    res.set('Cache-Control', 'no-store').json({ ok: true, lastSuccessAt: s.status.lastSuccessAt, lastError: s.status.lastError, counts: site.countHealth?.() ?? null });
  });

  mountSiteRoutes(app, site, log);

  app.use('/api', (_req, res, next) => {
    // Public numbers, meant to be embedded by other sites.
    res.set('Access-Control-Allow-Origin', '*');
    next();
  });

  app.get('/api/releases', async (req, res) => {
    const s = await site.snapshot();
    if (notModified(req, res, s.etag)) return;
    res.json(s.releases.map((r) => releaseJson(r, site.baseUrl)));
  });

  app.get('/api/releases.csv', async (req, res) => {
    const s = await site.snapshot();
    if (notModified(req, res, s.etag)) return;
    res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="releases.csv"' })
      .send(releasesCsv(s.releases, site.baseUrl));
  });

  app.get('/api/releases/:infohash', async (req, res) => {
    const hash = hashParam(req.params.infohash);
    if (hash === 'bad') return void res.status(400).json({ error: 'info hash must be 40 hexadecimal digits' });
    const s = await site.snapshot();
    const release = s.releases.find((r) => r.infoHash === hash);
    if (!release) return void res.status(404).json({ error: 'unknown info hash' });
    if (notModified(req, res, s.etag)) return;
    res.json(releaseDetailJson(release, site.baseUrl, site.history(hash)));
  });

  // The BEP 19 web seed and direct downloads: <base>/files/<path segments, each percent-encoded>. Only
  // files of live published releases are served. The file is sent relative to the real releases folder
  // (`root`), so a dot-folder above it does not matter. A complete GET of a single-file release that
  // finished sending is a direct download; Range requests for pieces (web seeds) are not.
  app.use('/files', async (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const segments = releaseSegments(req.path.replace(/^\//, ''));
    const published = segments === null ? null : await site.publishedFile(segments);
    const root = published === null ? null : await realDir(site.releasesDir);
    const file = root === null || segments === null ? null : await resolveReleaseFile(root, segments);
    if (file === null || root === null || published === null) return next();
    if (published.wholeRelease) {
      if (isWholeFileRequest(req.method, req.get('range'))) {
        res.once('finish', () => {
          if (res.statusCode === 200 || res.statusCode === 206) {
            site.directDownload(req.socket.remoteAddress ?? '', req.headers['x-forwarded-for'], published.infoHash);
          }
        });
      }
    }
    res.sendFile(path.relative(root, file), { root, dotfiles: 'deny', acceptRanges: true, maxAge: 3_600_000 }, (err) => sendFileDone(err, res, next));
  });

  app.use('/api', (_req, res) => {
    res.status(404).json({ error: 'not found' });
  });

  app.use((_req, res) => {
    sendHtml(res, 404, renderErrorPage(site.title, 404, 'Not found.'));
  });

  app.use((err: Error & { status?: number }, req: Request, res: Response, _next: NextFunction) => {
    const status = typeof err.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) log.error({ err: err.message, path: req.path }, 'request failed');
    if (!res.headersSent) sendHtml(res, status, renderErrorPage(site.title, status, status === 500 ? 'Something went wrong. Please try again later.' : status === 416 ? 'The requested range is not in this file.' : 'Bad request.'));
    else res.end();
  });

  return app;
}
