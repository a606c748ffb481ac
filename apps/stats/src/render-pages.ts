import { renderResponsiveChart, type DayCount } from './chart-svg.js';
import { html, type SafeHtml } from './escape-html.js';
import { formatBytes, formatCount, formatDateTime, formatLongDate } from './format.js';
import { DEFAULT_ORDER, listHref, type ListPage, type ListQuery, type SortKey } from './list-query.js';
import { fileUrlPath, type ReleaseView, type SiteTotals } from './release-view.js';
import { FAVICON_SVG, SITE_CSS, SITE_JS } from './site-assets.js';
import type { TorrentFile } from './torrent-files.js';

/** What the poller last achieved; times are epoch ms. */
export interface PollStatus {
  readonly lastSuccessAt: number | null;
  readonly lastAttemptAt: number | null;
  /** Why the last attempt failed; null when it succeeded (or none ran yet). */
  readonly lastError: string | null;
}

export interface IndexModel {
  readonly title: string;
  /** Every release (live, removed, unknown), in the site's default order. */
  readonly releases: readonly ReleaseView[];
  readonly totals: SiteTotals;
  readonly chart: readonly DayCount[];
  readonly status: PollStatus;
  /** Defaults to the newest first, first page. */
  readonly query?: ListQuery;
  /** The live releases of this page, filtered and sorted by `query` (list-query.ts). */
  readonly list?: ListPage;
}

export interface ReleaseModel {
  readonly title: string;
  readonly release: ReleaseView;
  readonly chart: readonly DayCount[];
  readonly history: readonly DayCount[];
  readonly status: PollStatus;
  /** Files of a multi-file release (from its .torrent); null for one file or when unknown. */
  readonly files?: readonly TorrentFile[] | null;
  /** SHA-256 of those files known so far, by path inside the release folder. */
  readonly fileSums?: ReadonlyMap<string, string>;
}

/** Rows listed per file table before "and N more" (a release may hold thousands of files). */
const MAX_FILE_ROWS = 1000;
/** Removed and unknown torrents listed on the home page at most. */
const MAX_SIDE_ROWS = 100;

const EXPLAIN = html`<p class="help" id="how-to-download"><strong>Download</strong> gets the file straight from this site.
<strong>.torrent</strong> and <strong>magnet</strong> open it in a BitTorrent app (such as qBittorrent or Transmission), which fetches
it from several sources at once, checks every piece and can resume.</p>`;

function layout(title: string, heading: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${heading === title ? title : `${heading} · ${title}`}</title>
<link rel="stylesheet" href="${SITE_CSS.href}">
<link rel="icon" href="${FAVICON_SVG.href}" type="image/svg+xml">
<link rel="alternate" type="application/atom+xml" title="${title}: new releases" href="/feed.xml">
<script src="${SITE_JS.href}" defer></script></head>
<body>${body}
<footer>New releases: <a href="/feed.xml">Atom feed</a> (works with the RSS downloader of qBittorrent and Transmission) ·
Checksums: <a href="/SHA256SUMS">SHA256SUMS</a> · Data: <a href="/api/releases">JSON</a> · <a href="/api/releases.csv">CSV</a></footer>
</body></html>
`;
}

function statusLine(s: PollStatus): SafeHtml {
  const updated =
    s.lastSuccessAt === null
      ? html`<p class="muted" id="last-updated">No data from the tracker yet.</p>`
      : html`<p class="muted" id="last-updated">Last updated <time datetime="${new Date(s.lastSuccessAt).toISOString()}">${formatDateTime(s.lastSuccessAt)}</time>.</p>`;
  const warn =
    s.lastError !== null && s.lastAttemptAt !== null
      ? html`<p class="warning" role="status" id="poll-warning">The tracker could not be read at ${formatDateTime(s.lastAttemptAt)} (${s.lastError}). The numbers shown are from the last successful update.</p>`
      : html``;
  return html`${updated}${warn}`;
}

/** The primary action (the file itself when the site serves it, else the .torrent) and the other ways. */
function getLinks(r: ReleaseView, opts: { big: boolean }): SafeHtml {
  const who = html`<span class="vh"> ${r.name}</span>`;
  const primary =
    r.filePath !== null
      ? html`<a class="button primary file" href="${r.filePath}" download>Download${who}</a>`
      : r.torrentPath !== null
        ? html`<a class="button primary torrent" href="${r.torrentPath}">Download .torrent${who}</a>`
        : html`<a class="button primary magnet" href="${r.magnet}">Open magnet link${who}</a>`;
  const alt: SafeHtml[] = [];
  if (r.filePath !== null && r.torrentPath !== null)
    alt.push(html`<a class="torrent" href="${r.torrentPath}">.torrent<span class="vh"> for ${r.name}</span></a>`);
  if (r.filePath !== null || r.torrentPath !== null)
    alt.push(html`<a class="magnet" href="${r.magnet}">magnet<span class="vh"> link for ${r.name}</span></a>`);
  if (!opts.big && r.filePath === null && (r.dirPath ?? null) !== null)
    alt.push(html`<a class="files" href="/release/${r.infoHash}#files">files<span class="vh"> of ${r.name}</span></a>`);
  return html`${primary}<span class="alt">${alt}</span>`;
}

function releaseRow(r: ReleaseView): SafeHtml {
  const label = r.known
    ? html`<a class="name" href="/release/${r.infoHash}">${r.name}</a>`
    : html`<a class="hash" href="/release/${r.infoHash}">${r.infoHash}</a> <span class="tag">unknown</span>`;
  const removed = r.removedAt === null ? html`` : html` <span class="tag">removed ${formatLongDate(r.removedAt)}</span>`;
  return html`<tr class="${r.removedAt === null ? 'release' : 'release removed'}" data-infohash="${r.infoHash}">
<td>${label}${removed}</td><td class="num size" data-label="Size">${r.size === null ? '' : formatBytes(r.size)}</td>
<td class="date" data-label="Published">${r.publishedAt === null ? '' : formatLongDate(r.publishedAt)}</td>
<td data-label="Downloads" class="num downloads">${formatCount(r.downloads)}</td><td class="num seeders">${formatCount(r.seeders)}</td>
<td class="num leechers">${formatCount(r.leechers)}</td><td class="get">${r.removedAt === null ? getLinks(r, { big: false }) : html`<a class="magnet" href="${r.magnet}">magnet</a>`}</td></tr>
`;
}

const SORT_COLUMNS: Record<SortKey, string> = { name: 'Release', size: 'Size', date: 'Published', downloads: 'Downloads' };

function sortHeader(key: SortKey, q: ListQuery | null, num: boolean): SafeHtml {
  const cls = num ? 'num' : '';
  if (q === null) return html`<th scope="col" class="${cls}">${SORT_COLUMNS[key]}</th>`;
  const current = q.sort === key;
  const order = current ? (q.order === 'asc' ? 'desc' : 'asc') : DEFAULT_ORDER[key];
  const href = listHref({ q: q.q, sort: key, order, page: 1 });
  const aria = current ? html` aria-sort="${q.order === 'asc' ? 'ascending' : 'descending'}"` : html``;
  return html`<th scope="col" class="${cls}"${aria}><a href="${href}">${SORT_COLUMNS[key]}<span class="vh">, sort ${order === 'asc' ? 'ascending' : 'descending'}</span></a></th>`;
}

function tableHead(q: ListQuery | null): SafeHtml {
  return html`<thead><tr>${sortHeader('name', q, false)}${sortHeader('size', q, true)}${sortHeader('date', q, false)}${sortHeader('downloads', q, true)}
<th scope="col" class="num">Seeders</th><th scope="col" class="num">Leechers</th><th scope="col">Get it</th></tr></thead>`;
}

function table(caption: SafeHtml | string, rows: readonly ReleaseView[], id: string, q: ListQuery | null): SafeHtml {
  if (rows.length === 0) return html``;
  return html`<table id="${id}" class="releases"><caption>${caption}</caption>${tableHead(q)}<tbody>${rows.map(releaseRow)}</tbody></table>`;
}

/** The split appears once a direct download has been counted; before that every download is BitTorrent. */
function splitText(bt: number, direct: number): SafeHtml {
  if (direct === 0) return html``;
  return html` <span class="split">(<span class="bt">${formatCount(bt)}</span> over BitTorrent, <span class="direct">${formatCount(direct)}</span> direct)</span>`;
}

function totalLine(t: SiteTotals, releases: readonly ReleaseView[]): SafeHtml {
  if (t.since === null) return html`<p class="total" id="site-total">No downloads recorded yet.</p>`;
  const split = splitText(
    releases.reduce((s, r) => s + r.downloadsBitTorrent, 0),
    releases.reduce((s, r) => s + r.downloadsDirect, 0),
  );
  return html`<p class="total" id="site-total"><strong>${formatCount(t.downloads)}</strong> downloads since ${formatLongDate(t.since)}${split}</p>`;
}

function searchForm(q: ListQuery): SafeHtml {
  const keep = [
    q.sort !== 'date' ? html`<input type="hidden" name="sort" value="${q.sort}">` : html``,
    q.order !== DEFAULT_ORDER[q.sort] ? html`<input type="hidden" name="order" value="${q.order}">` : html``,
  ];
  return html`<form class="search" role="search" method="get" action="/"><label for="q">Search releases</label>
<input type="search" id="q" name="q" value="${q.q}" placeholder="name or info hash" maxlength="200">${keep}<button type="submit">Search</button>
${q.q === '' ? html`` : html`<a href="${listHref({ ...q, q: '', page: 1 })}">Show all</a>`}</form>`;
}

function pager(list: ListPage, q: ListQuery): SafeHtml {
  if (list.pages <= 1) return html``;
  const prev = list.page > 1 ? html`<a rel="prev" href="${listHref({ ...q, page: list.page - 1 })}">← Newer page</a>` : html``;
  const next = list.page < list.pages ? html`<a rel="next" href="${listHref({ ...q, page: list.page + 1 })}">Next page →</a>` : html``;
  return html`<nav class="pages" aria-label="Pages">${prev}<span>Page ${list.page} of ${list.pages}</span>${next}</nav>`;
}

function capped(rows: readonly ReleaseView[]): readonly ReleaseView[] {
  return rows.length > MAX_SIDE_ROWS ? rows.slice(0, MAX_SIDE_ROWS) : rows;
}

export function renderIndexPage(m: IndexModel): string {
  const q: ListQuery = m.query ?? { q: '', sort: 'date', order: 'desc', page: 1 };
  const live = m.releases.filter((r) => r.known && r.removedAt === null);
  const list: ListPage = m.list ?? { rows: live, total: live.length, page: 1, pages: 1 };
  const firstPage = list.page === 1;
  const needle = q.q.toLowerCase();
  const side = (rows: readonly ReleaseView[]): readonly ReleaseView[] =>
    capped(needle === '' ? rows : rows.filter((r) => r.name.toLowerCase().includes(needle) || r.infoHash.startsWith(needle)));
  const removed = firstPage ? side(m.releases.filter((r) => r.known && r.removedAt !== null)) : [];
  const unknown = firstPage ? side(m.releases.filter((r) => !r.known)) : [];
  const chart = renderResponsiveChart(m.chart, { id: 'site-chart', title: `Downloads per day, last ${m.chart.length} days` });
  const caption =
    q.q === ''
      ? html`Releases${list.pages > 1 ? html` (${formatCount(list.total)}, page ${list.page} of ${list.pages})` : html``}`
      : html`${formatCount(list.total)} release${list.total === 1 ? '' : 's'} matching “${q.q}”`;
  const empty =
    live.length === 0
      ? html`<p>No releases published yet.</p>`
      : list.total === 0
        ? html`<p id="no-match">No release matches “${q.q}”.</p>`
        : html``;
  const body = html`<header><h1>${m.title}</h1>${totalLine(m.totals, m.releases)}${statusLine(m.status)}</header>
<main>${EXPLAIN}${live.length > 0 ? searchForm(q) : html``}${empty}
${table(caption, list.rows, 'releases', q)}${pager(list, q)}
<figure id="downloads-chart">${chart}<figcaption>Completed downloads per day (UTC), all releases.</figcaption></figure>
${table('Removed releases (history kept)', removed, 'removed-releases', null)}
${table('Torrents on the tracker that are not in the catalog', unknown, 'unknown-releases', null)}</main>`;
  return layout(m.title, m.title, body).value;
}

function fileRows(r: ReleaseView, files: readonly TorrentFile[], sums: ReadonlyMap<string, string>): SafeHtml {
  const dir = r.dirPath ?? null;
  const shown = files.slice(0, MAX_FILE_ROWS);
  const rows = shown.map((f, i) => {
    const rel = f.path.join('/');
    const link =
      dir === null ? html`` : html`<a href="${fileUrlPath(`${dir}/${rel}`)}" download>Download<span class="vh"> ${rel}</span></a>`;
    const sha = sums.get(rel);
    const sum =
      sha === undefined
        ? html``
        : html`<br><span class="muted">SHA-256</span> <code class="hash" id="sha256-${i}" data-copy="SHA-256 of ${rel}">${sha}</code>`;
    return html`<tr><td><span class="name">${rel}</span>${sum}</td><td class="num">${formatBytes(f.length)}</td><td>${link}</td></tr>`;
  });
  const pending =
    dir !== null && shown.some((f) => !sums.has(f.path.join('/')))
      ? html`<p class="muted" id="sums-pending">Checksums of some files are still being computed; reload the page in a moment.</p>`
      : html``;
  const more =
    files.length > MAX_FILE_ROWS
      ? html`<p class="muted">and ${formatCount(files.length - MAX_FILE_ROWS)} more files (see the .torrent).</p>`
      : html``;
  const sumsLink = sums.size > 0 ? html` <a class="sums" href="/release/${r.infoHash}/SHA256SUMS">SHA256SUMS</a>` : html``;
  return html`<h2 id="files">Files (${formatCount(files.length)})${sumsLink}</h2>${pending}<table id="file-list"><thead><tr><th scope="col">File</th><th scope="col" class="num">Size</th>
<th scope="col">Direct link</th></tr></thead><tbody>${rows}</tbody></table>${more}`;
}

export function renderReleasePage(m: ReleaseModel): string {
  const r = m.release;
  const heading = r.known ? r.name : `Unknown torrent ${r.infoHash}`;
  const range = m.chart.length === 1 ? 'today' : `last ${m.chart.length} days`;
  const chart = renderResponsiveChart(m.chart, { id: 'release-chart', title: `Downloads per day of ${heading}, ${range}` });
  const rows = [...m.history].reverse().map((h) => html`<tr><td>${h.date}</td><td class="num">${formatCount(h.downloads)}</td></tr>`);
  const since = r.publishedAt ?? (r.firstSeen === null ? null : new Date(r.firstSeen).toISOString());
  const sha = r.sha256 ?? null;
  const body = html`<p><a href="/">← ${m.title}</a></p><h1 class="name">${heading}</h1>
${r.removedAt === null ? html`` : html`<p class="warning">This release was removed on ${formatLongDate(r.removedAt)}; its history is kept.</p>`}
${statusLine(m.status)}
<main>${r.removedAt === null ? html`<p class="get">${getLinks(r, { big: true })}</p>${EXPLAIN}` : html``}
<dl class="facts">
<dt>Downloads</dt><dd class="downloads"><strong>${formatCount(r.downloads)}</strong>${since === null ? '' : ` since ${formatLongDate(since)}`}${splitText(r.downloadsBitTorrent, r.downloadsDirect)}</dd>
<dt>Seeders / leechers</dt><dd>${formatCount(r.seeders)} / ${formatCount(r.leechers)}</dd>
<dt>Size</dt><dd>${r.size === null ? 'unknown' : `${formatBytes(r.size)} (${formatCount(r.size)} bytes)`}</dd>
<dt>Published</dt><dd>${r.publishedAt === null ? 'unknown' : formatLongDate(r.publishedAt)}</dd>
<dt>Info hash</dt><dd><code class="hash" id="infohash" data-copy="info hash">${r.infoHash}</code></dd>
${
  sha === null
    ? html``
    : html`<dt>SHA-256</dt><dd><code class="hash" id="sha256" data-copy="SHA-256">${sha}</code>
<a class="sums" href="/release/${r.infoHash}/SHA256SUMS">SHA256SUMS</a></dd>`
}
</dl>
${m.files && m.files.length > 0 ? fileRows(r, m.files, m.fileSums ?? new Map<string, string>()) : html``}
<h2>Downloads per day</h2>
<figure id="downloads-chart">${chart}<figcaption>Completed downloads per day (UTC), ${range}.</figcaption></figure>
<h2>History</h2>
${rows.length === 0 ? html`<p>No downloads recorded yet.</p>` : html`<table id="history"><thead><tr><th scope="col">Day (UTC)</th><th scope="col" class="num">Downloads</th></tr></thead><tbody>${rows}</tbody></table>`}
</main>`;
  return layout(m.title, heading, body).value;
}

export function renderErrorPage(title: string, status: number, message: string): string {
  return layout(title, `${status}`, html`<p><a href="/">← ${title}</a></p><h1>${status}</h1><main><p>${message}</p></main>`).value;
}
