import type express from 'express';
import type { StatsSite } from './http-app.js';
import { HEX40 } from './manifest-parse.js';
import { releaseDetailJson, releaseJson, releasesCsv } from './release-api.js';
import { fresh } from './site-responses.js';

/** Normalises a hash from a URL; 'bad' when it is not 40 hex digits. */
function hashParam(raw: string | undefined): string | 'bad' {
  return raw !== undefined && HEX40.test(raw) ? raw.toLowerCase() : 'bad';
}

/** /api: the releases as JSON and CSV, one release with its history; JSON errors, 404 for anything else. */
export function mountApiRoutes(app: express.Express, site: StatsSite): void {
  app.use('/api', (_req, res, next) => {
    // Public numbers, meant to be embedded by other sites.
    res.set('Access-Control-Allow-Origin', '*');
    next();
  });

  app.get('/api/releases', async (req, res) => {
    const s = await site.snapshot();
    if (fresh(req, res, s.etag, 30)) return;
    res.json(s.releases.map((r) => releaseJson(r, site.baseUrl)));
  });

  app.get('/api/releases.csv', async (req, res) => {
    const s = await site.snapshot();
    if (fresh(req, res, s.etag, 30)) return;
    res
      .set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': 'attachment; filename="releases.csv"' })
      .send(releasesCsv(s.releases, site.baseUrl));
  });

  app.get('/api/releases/:infohash', async (req, res) => {
    const hash = hashParam(req.params.infohash);
    if (hash === 'bad') return void res.status(400).json({ error: 'info hash must be 40 hexadecimal digits' });
    const s = await site.snapshot();
    const release = s.releases.find((r) => r.infoHash === hash);
    if (!release) return void res.status(404).json({ error: 'unknown info hash' });
    if (fresh(req, res, s.etag, 30)) return;
    res.json(releaseDetailJson(release, site.baseUrl, site.history(hash)));
  });
}

/** After every other route: an unknown /api path answers JSON, not the HTML 404 page. */
export function mountApiNotFound(app: express.Express): void {
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
}
