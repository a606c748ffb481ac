import type express from 'express';
import { type FolderSumsOf, MAX_SUMMED_FILES } from './folder-sums.js';
import type { StatsSite } from './http-app.js';
import { listPage, parseListQuery } from './list-query.js';
import { HEX40 } from './manifest-parse.js';
import { chartDays } from './release-view.js';
import { renderErrorPage, renderIndexPage, renderReleasePage } from './render-pages.js';
import { ASSETS, FAVICON_SVG } from './site-assets.js';
import { fresh, sendHtml } from './site-responses.js';
import type { TorrentFileLists } from './torrent-files.js';

/** The site-wide chart on the home page covers at most this many days. */
const HOME_CHART_DAYS = 30;

/** The static assets (stylesheet, script, icons), cached for a day. */
export function mountAssetRoutes(app: express.Express): void {
  for (const a of ASSETS) {
    app.get(a.path, (req, res) => {
      if (fresh(req, res, a.etag, 86_400)) return;
      res.type(a.type).send(a.body);
    });
  }
  // Browsers and feed readers ask for /favicon.ico whatever the page says.
  app.get('/favicon.ico', (req, res) => {
    if (fresh(req, res, FAVICON_SVG.etag, 86_400)) return;
    res.type(FAVICON_SVG.type).send(FAVICON_SVG.body);
  });
}

/** The HTML pages: home (search, sort, pages) and one page per release. */
export function mountPageRoutes(app: express.Express, site: StatsSite, fileLists: TorrentFileLists, folderSums: FolderSumsOf): void {
  app.get('/', async (req, res) => {
    const s = await site.snapshot();
    if (fresh(req, res, s.etag, 30)) return;
    const query = parseListQuery(req.query as Record<string, unknown>);
    const live = s.releases.filter((r) => r.known && r.removedAt === null);
    const list = listPage(live, query);
    const oldest = live.reduce<number | null>((min, r) => {
      const d = chartDays(r, site.now(), HOME_CHART_DAYS);
      return min === null || d > min ? d : min;
    }, null);
    const days = oldest ?? HOME_CHART_DAYS;
    const hashes = new Set(s.releases.map((r) => r.infoHash));
    sendHtml(
      res,
      200,
      renderIndexPage({
        title: site.title,
        releases: s.releases,
        totals: s.totals,
        chart: site.chart(hashes, days),
        status: s.status,
        query,
        list,
      }),
    );
  });

  app.get('/release/:infohash', async (req, res) => {
    const raw = req.params.infohash ?? '';
    if (!HEX40.test(raw)) return sendHtml(res, 400, renderErrorPage(site.title, 400, 'An info hash is 40 hexadecimal digits.'));
    const hash = raw.toLowerCase();
    const s = await site.snapshot();
    const release = s.releases.find((r) => r.infoHash === hash);
    if (!release) return sendHtml(res, 404, renderErrorPage(site.title, 404, 'No release with this info hash.'));
    const files = release.torrentFile ? await fileLists.files(release.torrentFile) : null;
    const sums = await folderSums(release);
    // checksums still being computed change the page without a new snapshot: no caching until all are known
    const complete = files === null || release.dirPath == null || sums.length >= Math.min(files.length, MAX_SUMMED_FILES);
    if (!complete) res.set('Cache-Control', 'no-store');
    else if (fresh(req, res, s.etag, 30)) return;
    sendHtml(
      res,
      200,
      renderReleasePage({
        title: site.title,
        release,
        chart: site.chart(new Set([hash]), chartDays(release, site.now())),
        history: site.history(hash),
        status: s.status,
        files,
        fileSums: new Map(sums.map((f) => [f.path, f.sha256])),
      }),
    );
  });
}
