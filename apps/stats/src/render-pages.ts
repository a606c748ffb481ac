import { renderDailyChart, type DayCount } from './chart-svg.js';
import { html, type SafeHtml } from './escape-html.js';
import { formatBytes, formatCount, formatDateTime, formatLongDate } from './format.js';
import type { ReleaseView, SiteTotals } from './release-view.js';

/** What the poller last achieved; times are epoch ms. */
export interface PollStatus {
  readonly lastSuccessAt: number | null;
  readonly lastAttemptAt: number | null;
  /** Why the last attempt failed; null when it succeeded (or none ran yet). */
  readonly lastError: string | null;
}

export interface IndexModel {
  readonly title: string;
  readonly releases: readonly ReleaseView[];
  readonly totals: SiteTotals;
  readonly chart: readonly DayCount[];
  readonly status: PollStatus;
}

export interface ReleaseModel {
  readonly title: string;
  readonly release: ReleaseView;
  readonly chart: readonly DayCount[];
  readonly history: readonly DayCount[];
  readonly status: PollStatus;
}

const STYLE = `body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem;color:#1b1b1b}
h1{margin:.2rem 0}table{border-collapse:collapse;width:100%;margin:1rem 0}
th,td{padding:.35rem .5rem;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.name{overflow-wrap:anywhere}.hash{font-family:monospace;font-size:.85em;overflow-wrap:anywhere}
.muted{color:#666}.removed td{color:#777}.tag{font-size:.8em;border:1px solid #aaa;border-radius:3px;padding:0 .3em}
.warning{background:#fff3cd;border:1px solid #e0b000;padding:.5rem .75rem;border-radius:4px}
.total{font-size:1.25rem}svg.chart{max-width:100%;height:auto;display:block}
svg .bar{fill:#2f6fb3}svg .axis{stroke:#888}svg .label{font-size:11px;fill:#555}
a{color:#1a55a0}nav a{margin-right:.6rem}`;

function layout(title: string, heading: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${heading === title ? title : `${heading} · ${title}`}</title><style>${STYLE}</style></head>
<body>${body}</body></html>
`;
}

function statusLine(s: PollStatus): SafeHtml {
  const updated = s.lastSuccessAt === null
    ? html`<p class="muted" id="last-updated">No data from the tracker yet.</p>`
    : html`<p class="muted" id="last-updated">Last updated <time datetime="${new Date(s.lastSuccessAt).toISOString()}">${formatDateTime(s.lastSuccessAt)}</time>.</p>`;
  const warn = s.lastError !== null && s.lastAttemptAt !== null
    ? html`<p class="warning" role="status" id="poll-warning">The tracker could not be read at ${formatDateTime(s.lastAttemptAt)} (${s.lastError}). The numbers shown are from the last successful update.</p>`
    : html``;
  return html`${updated}${warn}`;
}

function links(r: ReleaseView): SafeHtml {
  const parts: SafeHtml[] = [];
  if (r.torrentPath !== null) parts.push(html`<a class="torrent" href="${r.torrentPath}">.torrent</a>`);
  parts.push(html`<a class="magnet" href="${r.magnet}">magnet</a>`);
  if (r.filePath !== null) parts.push(html`<a class="file" href="${r.filePath}">direct download</a>`);
  return html`<nav>${parts}</nav>`;
}

function releaseRow(r: ReleaseView): SafeHtml {
  const label = r.known
    ? html`<a class="name" href="/release/${r.infoHash}">${r.name}</a>`
    : html`<a class="hash" href="/release/${r.infoHash}">${r.infoHash}</a> <span class="tag">unknown</span>`;
  const removed = r.removedAt === null ? html`` : html` <span class="tag">removed ${formatLongDate(r.removedAt)}</span>`;
  return html`<tr class="${r.removedAt === null ? 'release' : 'release removed'}" data-infohash="${r.infoHash}">
<td>${label}${removed}</td><td class="num">${r.size === null ? '' : formatBytes(r.size)}</td>
<td>${r.publishedAt === null ? '' : formatLongDate(r.publishedAt)}</td>
<td class="num downloads">${formatCount(r.downloads)}</td><td class="num seeders">${formatCount(r.seeders)}</td>
<td class="num leechers">${formatCount(r.leechers)}</td><td>${links(r)}</td></tr>
`;
}

const TABLE_HEAD = html`<thead><tr><th scope="col">Release</th><th scope="col" class="num">Size</th><th scope="col">Published</th>
<th scope="col" class="num">Downloads</th><th scope="col" class="num">Seeders</th><th scope="col" class="num">Leechers</th><th scope="col">Get it</th></tr></thead>`;

function table(caption: string, rows: readonly ReleaseView[], id: string): SafeHtml {
  if (rows.length === 0) return html``;
  return html`<table id="${id}"><caption class="muted">${caption}</caption>${TABLE_HEAD}<tbody>${rows.map(releaseRow)}</tbody></table>`;
}

function totalLine(t: SiteTotals): SafeHtml {
  if (t.since === null) return html`<p class="total" id="site-total">No downloads recorded yet.</p>`;
  return html`<p class="total" id="site-total"><strong>${formatCount(t.downloads)}</strong> downloads since ${formatLongDate(t.since)}</p>`;
}

export function renderIndexPage(m: IndexModel): string {
  const live = m.releases.filter((r) => r.known && r.removedAt === null);
  const removed = m.releases.filter((r) => r.known && r.removedAt !== null);
  const unknown = m.releases.filter((r) => !r.known);
  const chart = renderDailyChart(m.chart, { id: 'site-chart', title: `Downloads per day, last ${m.chart.length} days` });
  const body = html`<header><h1>${m.title}</h1>${totalLine(m.totals)}${statusLine(m.status)}</header>
<main><figure id="downloads-chart">${chart}<figcaption class="muted">Completed downloads per day (UTC), all releases.</figcaption></figure>
${live.length === 0 && removed.length === 0 ? html`<p>No releases published yet.</p>` : html``}
${table('Releases', live, 'releases')}${table('Removed releases (history kept)', removed, 'removed-releases')}
${table('Torrents on the tracker that are not in the catalog', unknown, 'unknown-releases')}
<p class="muted">Data: <a href="/api/releases">JSON</a> · <a href="/api/releases.csv">CSV</a></p></main>`;
  return layout(m.title, m.title, body).value;
}

export function renderReleasePage(m: ReleaseModel): string {
  const r = m.release;
  const heading = r.known ? r.name : `Unknown torrent ${r.infoHash}`;
  const chart = renderDailyChart(m.chart, { id: 'release-chart', title: `Downloads per day of ${heading}, last ${m.chart.length} days` });
  const rows = [...m.history].reverse().map((h) => html`<tr><td>${h.date}</td><td class="num">${formatCount(h.downloads)}</td></tr>`);
  const body = html`<p><a href="/">← ${m.title}</a></p><h1 class="name">${heading}</h1>
${r.removedAt === null ? html`` : html`<p class="warning">This release was removed on ${formatLongDate(r.removedAt)}; its history is kept.</p>`}
${statusLine(m.status)}
<table class="facts"><tbody>
<tr><th scope="row">Downloads</th><td class="downloads">${formatCount(r.downloads)}${r.firstSeen === null ? '' : ` since ${formatLongDate(r.firstSeen)}`}</td></tr>
<tr><th scope="row">Seeders / leechers</th><td>${formatCount(r.seeders)} / ${formatCount(r.leechers)}</td></tr>
<tr><th scope="row">Size</th><td>${r.size === null ? 'unknown' : `${formatBytes(r.size)} (${formatCount(r.size)} bytes)`}</td></tr>
<tr><th scope="row">Published</th><td>${r.publishedAt === null ? 'unknown' : formatLongDate(r.publishedAt)}</td></tr>
<tr><th scope="row">Info hash</th><td class="hash">${r.infoHash}</td></tr>
<tr><th scope="row">Get it</th><td>${links(r)}</td></tr>
</tbody></table>
<figure id="downloads-chart">${chart}</figure>
<h2>History</h2>
${rows.length === 0 ? html`<p>No downloads recorded yet.</p>` : html`<table id="history"><thead><tr><th scope="col">Day (UTC)</th><th scope="col" class="num">Downloads</th></tr></thead><tbody>${rows}</tbody></table>`}`;
  return layout(m.title, heading, body).value;
}

export function renderErrorPage(title: string, status: number, message: string): string {
  return layout(title, `${status}`, html`<p><a href="/">← ${title}</a></p><h1>${status}</h1><p>${message}</p>`).value;
}
