import { escapeHtml } from './escape-html.js';
import { formatBytes } from './format.js';
import type { ReleaseView } from './release-view.js';

/** Entries in the feed at most (newest first); RSS downloaders only look at recent ones. */
export const MAX_FEED_ENTRIES = 100;

/** Text safe inside XML 1.0: escaped, and without the characters XML cannot carry at all. */
export function xmlText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return escapeHtml(
    s.replace(
      /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
      '\ufffd',
    ),
  );
}

export interface FeedModel {
  readonly title: string;
  /** Absolute, no trailing slash. */
  readonly baseUrl: string;
  readonly releases: readonly ReleaseView[];
  /** When no release has a date (epoch ms). */
  readonly fallbackUpdated: number;
}

function isoOr(s: string | null, fallback: string): string {
  const t = s === null ? Number.NaN : Date.parse(s);
  return Number.isNaN(t) ? fallback : new Date(t).toISOString();
}

/**
 * An Atom feed (RFC 4287) of the live releases, newest first. Each entry carries the .torrent as an
 * `enclosure` link of type application/x-bittorrent (what qBittorrent's RSS downloader and other feed
 * downloaders fetch) and the magnet link, also in the ezRSS torrent namespace some clients read.
 */
export function renderAtomFeed(m: FeedModel): string {
  const base = m.baseUrl;
  const live = m.releases
    .filter((r) => r.known && r.removedAt === null && r.torrentPath !== null)
    .sort((a, b) => (b.publishedAt ?? '').localeCompare(a.publishedAt ?? '') || a.name.localeCompare(b.name))
    .slice(0, MAX_FEED_ENTRIES);
  const fallback = new Date(m.fallbackUpdated).toISOString();
  const updated =
    live.reduce((max, r) => {
      const t = isoOr(r.publishedAt, '');
      // biome-ignore lint/complexity/useMathMinMax: ISO strings compare as text; Math.max would make them NaN
      return t > max ? t : max;
    }, '') || fallback;
  const entries = live
    .map((r) => {
      const when = isoOr(r.publishedAt, fallback);
      const page = `${base}/release/${r.infoHash}`;
      const size = r.size === null ? '' : `, ${formatBytes(r.size)}`;
      const content =
        `<p>${escapeHtml(r.name)}${size}: <a href="${escapeHtml(base + r.torrentPath!)}">.torrent</a>, ` +
        `<a href="${escapeHtml(r.magnet)}">magnet link</a>${r.filePath === null ? '' : `, <a href="${escapeHtml(base + r.filePath)}">direct download</a>`}.</p>`;
      return `<entry>
<title>${xmlText(r.name)}</title>
<id>urn:btih:${r.infoHash}</id>
<published>${when}</published>
<updated>${when}</updated>
<link rel="alternate" type="text/html" href="${xmlText(page)}"/>
<link rel="enclosure" type="application/x-bittorrent" href="${xmlText(base + r.torrentPath!)}" title="${xmlText(`${r.name}.torrent`)}"/>
<link rel="related" href="${xmlText(r.magnet)}" title="magnet link"/>
${r.size === null ? '' : `<torrent:contentLength>${r.size}</torrent:contentLength>\n`}<torrent:infoHash>${r.infoHash}</torrent:infoHash>
<torrent:magnetURI>${xmlText(r.magnet)}</torrent:magnetURI>
<content type="html">${xmlText(content)}</content>
</entry>
`;
    })
    .join('');
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:torrent="http://xmlns.ezrss.it/0.1/">
<title>${xmlText(`${m.title}: releases`)}</title>
<id>${xmlText(`${base}/feed.xml`)}</id>
<link rel="self" type="application/atom+xml" href="${xmlText(`${base}/feed.xml`)}"/>
<link rel="alternate" type="text/html" href="${xmlText(`${base}/`)}"/>
<updated>${updated}</updated>
<author><name>${xmlText(m.title)}</name></author>
<generator>release-tracker-suite</generator>
${entries}</feed>
`;
}
