import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../../../libs/common/src/log.js';
import { mountApiNotFound, mountApiRoutes } from './api-routes.js';
import type { DayCount } from './chart-svg.js';
import { mountFileRoutes } from './download-routes.js';
import type { FileSums } from './file-sums.js';
import type { PublishedFile } from './published-files.js';
import type { CurrentLinks, ReleaseView, SiteTotals } from './release-view.js';
import { renderErrorPage, type PollStatus } from './render-pages.js';
import { sendHtml } from './site-responses.js';
import { mountSiteRoutes } from './site-routes.js';

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
    res
      .set('Cache-Control', 'no-store')
      .json({ ok: true, lastSuccessAt: s.status.lastSuccessAt, lastError: s.status.lastError, counts: site.countHealth?.() ?? null });
  });

  mountSiteRoutes(app, site, log);

  mountApiRoutes(app, site);
  mountFileRoutes(app, site);
  mountApiNotFound(app);

  app.use((_req, res) => {
    sendHtml(res, 404, renderErrorPage(site.title, 404, 'Not found.'));
  });

  app.use((err: Error & { status?: number }, req: Request, res: Response, _next: NextFunction) => {
    const status = typeof err.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    if (status === 500) log.error({ err: err.message, path: req.path }, 'request failed');
    if (!res.headersSent)
      sendHtml(
        res,
        status,
        renderErrorPage(
          site.title,
          status,
          status === 500
            ? 'Something went wrong. Please try again later.'
            : status === 416
              ? 'The requested range is not in this file.'
              : 'Bad request.',
        ),
      );
    else res.end();
  });

  return app;
}
