import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type express from 'express';
import type { Request, Response } from 'express';
import type { Logger } from '../../../libs/common/src/log.js';
import { badgeLabel, renderBadge, shortCount } from './badge.js';
import { etagMatches } from './etag.js';
import { renderAtomFeed } from './feed.js';
import type { StatsSite } from './http-app.js';
import { listPage, parseListQuery } from './list-query.js';
import { HEX40, isSafeTorrentName } from './manifest-parse.js';
import { resolveReleaseFile } from './release-files.js';
import { chartDays, type ReleaseView } from './release-view.js';
import { renderErrorPage, renderIndexPage, renderReleasePage } from './render-pages.js';
import { ASSETS, FAVICON_SVG } from './site-assets.js';
import { sha256sums, type FolderFileSum } from './sums.js';
import { TorrentFileLists } from './torrent-files.js';
import { MAX_TORRENT_BYTES, rewriteTorrent, TorrentRewriteError } from './torrent-rewrite.js';

/** Scripts and styles from this site only; forms submit to it (the search box). */
export const HTML_CSP = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'";
/** Files per folder release whose checksums are listed (and computed) at most. */
const MAX_SUMMED_FILES = 1000;
/** The site-wide chart on the home page covers at most this many days. */
const HOME_CHART_DAYS = 30;

function sendHtml(res: Response, status: number, body: string): void {
  res.status(status).set({ 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': HTML_CSP }).send(body);
}

/** Sets caching headers; answers 304 when the client already has this version. */
function fresh(req: Request, res: Response, etag: string, maxAge: number): boolean {
  res.set({ ETag: etag, 'Cache-Control': `public, max-age=${maxAge}`, Vary: 'Accept-Encoding' });
  if (etagMatches(req.get('if-none-match'), etag)) {
    res.status(304).end();
    return true;
  }
  return false;
}

function strongTag(body: string | Uint8Array): string {
  return `"${createHash('sha1').update(body).digest('base64url').slice(0, 22)}"`;
}

/** RFC 6266 filename for a download: an ASCII fallback plus the exact UTF-8 name. */
function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/**
 * The public site's pages and feeds: home (search, sort, pages), release pages, the Atom feed,
 * SHA256SUMS, badges, the .torrent files (rewritten at serve time) and the static assets.
 */
export function mountSiteRoutes(app: express.Express, site: StatsSite, log: Logger): void {
  const fileLists = new TorrentFileLists(site.torrentsDir);

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
    sendHtml(res, 200, renderIndexPage({ title: site.title, releases: s.releases, totals: s.totals, chart: site.chart(hashes, days), status: s.status, query, list }));
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
    sendHtml(res, 200, renderReleasePage({
      title: site.title, release, chart: site.chart(new Set([hash]), chartDays(release, site.now())), history: site.history(hash), status: s.status, files,
      fileSums: new Map(sums.map((f) => [f.path, f.sha256])),
    }));
  });

  /** The files of a live folder release whose SHA-256 is known, in torrent order (queues the others). */
  const folderSums = async (r: ReleaseView): Promise<FolderFileSum[]> => {
    const dir = r.dirPath ?? null;
    if (dir === null || r.removedAt !== null || !r.torrentFile) return [];
    const files = (await fileLists.files(r.torrentFile))?.slice(0, MAX_SUMMED_FILES) ?? [];
    const rels = files.map((f) => f.path.join('/'));
    const known = await site.fileSums.lookup(rels.map((rel) => `${dir}/${rel}`));
    return rels.flatMap((rel) => {
      const sha = known.get(`${dir}/${rel}`);
      return sha === undefined ? [] : [{ path: rel, sha256: sha }];
    });
  };
  const sendSums = (req: Request, res: Response, body: string): void => {
    // the body grows as folder checksums are computed, so the tag follows the content
    if (fresh(req, res, strongTag(body), 30)) return;
    res.set('Access-Control-Allow-Origin', '*').type('text/plain; charset=utf-8').send(body);
  };
  app.get('/SHA256SUMS', async (req, res) => {
    const s = await site.snapshot();
    const folders = new Map<string, FolderFileSum[]>();
    for (const r of s.releases) if (r.dirPath != null && r.removedAt === null) folders.set(r.infoHash, await folderSums(r));
    sendSums(req, res, sha256sums(s.releases, folders));
  });
  app.get('/release/:infohash/SHA256SUMS', async (req, res) => {
    const hash = (req.params.infohash ?? '').toLowerCase();
    const s = await site.snapshot();
    const release = HEX40.test(hash) ? s.releases.find((r) => r.infoHash === hash) : undefined;
    const body = release ? sha256sums([release], new Map([[release.infoHash, await folderSums(release)]])) : '';
    if (body === '') return void res.status(404).type('text/plain; charset=utf-8').send('no SHA-256 known for this release (yet)\n');
    sendSums(req, res, body);
  });

  app.get('/feed.xml', async (req, res) => {
    const s = await site.snapshot();
    if (fresh(req, res, s.etag, 300)) return;
    res.type('application/atom+xml; charset=utf-8')
      .send(renderAtomFeed({ title: site.title, baseUrl: site.baseUrl, releases: s.releases, fallbackUpdated: site.now() }));
  });

  // A shields-style count for a CMS page: /badge/<info_hash>.svg, and the same as shields.io endpoint JSON.
  app.get('/badge/:file', async (req, res) => {
    const m = /^([0-9a-fA-F]{40})\.(svg|json)$/.exec(req.params.file ?? '');
    res.set('Access-Control-Allow-Origin', '*');
    if (!m) return void res.status(404).type('text/plain').send('badge URLs are /badge/<40 hex digits>.svg or .json\n');
    const s = await site.snapshot();
    const release = s.releases.find((r) => r.infoHash === m[1]!.toLowerCase());
    const label = badgeLabel(req.query['label']);
    const value = release ? shortCount(release.downloads) : 'not found';
    const color = release ? '#007ec6' : '#9f9f9f';
    const body = m[2] === 'json'
      ? JSON.stringify({ schemaVersion: 1, label, message: value, color: color.slice(1) })
      : renderBadge(label, value, color);
    res.status(release ? 200 : 404);
    if (fresh(req, res, strongTag(body), 300)) return;
    if (m[2] === 'json') res.type('application/json').send(body);
    else res.set('Content-Security-Policy', SVG_CSP).type('image/svg+xml').send(body);
  });

  // .torrent files with the current trackers and web seeds: only keys outside the info dict change,
  // so the info_hash (and every client's progress) stays the same when the site moves.
  app.get('/torrents/:name', async (req, res, next) => {
    const name = req.params.name ?? '';
    if (!isSafeTorrentName(name)) return next();
    let root: string;
    try {
      root = await fs.realpath(site.torrentsDir);
    } catch {
      return next();
    }
    const file = await resolveReleaseFile(root, [name]);
    if (file === null) return next();
    let bytes: Buffer;
    try {
      if ((await fs.stat(file)).size > MAX_TORRENT_BYTES) return next();
      bytes = await fs.readFile(file);
    } catch {
      return next();
    }
    const s = await site.snapshot();
    const release = s.releases.find((r) => r.torrentFile === name);
    const served = release !== undefined && release.removedAt === null && (release.filePath !== null || (release.dirPath ?? null) !== null);
    let out: Uint8Array;
    try {
      out = rewriteTorrent(bytes, {
        announceTiers: site.links.announceUrls.map((u) => [u]),
        webSeeds: served ? site.links.webSeeds : [],
      });
    } catch (e) {
      if (!(e instanceof TorrentRewriteError)) throw e;
      log.warn({ file, err: e.message }, 'not a readable .torrent file; not served');
      return next();
    }
    if (fresh(req, res, strongTag(out), 300)) return;
    res.set({ 'Content-Type': 'application/x-bittorrent', 'Content-Disposition': attachment(name) }).send(Buffer.from(out));
  });
}
