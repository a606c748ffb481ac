import type express from 'express';
import { badgeLabel, renderBadge, shortCount } from './badge.js';
import { renderAtomFeed } from './feed.js';
import type { StatsSite } from './http-app.js';
import { fresh, strongTag } from './site-responses.js';

const SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'";

/** What other sites and readers follow: the Atom feed and download-count badges. */
export function mountFeedRoutes(app: express.Express, site: StatsSite): void {
  app.get('/feed.xml', async (req, res) => {
    const s = await site.snapshot();
    if (fresh(req, res, s.etag, 300)) return;
    res
      .type('application/atom+xml; charset=utf-8')
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
    const body =
      m[2] === 'json'
        ? JSON.stringify({ schemaVersion: 1, label, message: value, color: color.slice(1) })
        : renderBadge(label, value, color);
    res.status(release ? 200 : 404);
    if (fresh(req, res, strongTag(body), 300)) return;
    if (m[2] === 'json') res.type('application/json').send(body);
    else res.set('Content-Security-Policy', SVG_CSP).type('image/svg+xml').send(body);
  });
}
