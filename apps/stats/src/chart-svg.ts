import { html, type SafeHtml } from './escape-html.js';
import { formatCount } from './format.js';

export interface DayCount {
  /** "YYYY-MM-DD" (UTC). */
  readonly date: string;
  readonly downloads: number;
}

export interface ChartOptions {
  /** Accessible name; also shown as a tooltip. */
  readonly title: string;
  /** Unique within the page, for aria-labelledby. */
  readonly id: string;
  readonly width?: number;
  readonly height?: number;
}

/**
 * A bar chart of downloads per day as inline SVG: no client JavaScript, readable by screen readers
 * (role=img + title + desc), each bar with its own tooltip. Pure: same data, same string.
 */
export function renderDailyChart(points: readonly DayCount[], opts: ChartOptions): SafeHtml {
  const width = opts.width ?? 720;
  const height = opts.height ?? 180;
  const pad = { top: 12, right: 8, bottom: 22, left: 48 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const max = Math.max(0, ...points.map((p) => p.downloads));
  const scaleMax = max === 0 ? 1 : max;
  const slot = points.length === 0 ? plotW : plotW / points.length;
  const barW = Math.max(1, slot * 0.8);
  const total = points.reduce((s, p) => s + p.downloads, 0);
  const first = points[0]?.date ?? '';
  const last = points[points.length - 1]?.date ?? '';
  const desc = points.length === 0
    ? 'No data.'
    : `${formatCount(total)} downloads from ${first} to ${last}; busiest day ${formatCount(max)}.`;
  const bars = points.map((p, i) => {
    const h = (p.downloads / scaleMax) * plotH;
    const x = pad.left + i * slot + (slot - barW) / 2;
    const y = pad.top + plotH - h;
    return html`<rect class="bar" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}"><title>${p.date}: ${formatCount(p.downloads)}</title></rect>`;
  });
  const baseY = pad.top + plotH;
  const parts: SafeHtml[] = [
    html`<title id="${opts.id}-title">${opts.title}</title><desc id="${opts.id}-desc">${desc}</desc>`,
    html`<line class="axis" x1="${pad.left}" y1="${baseY}" x2="${width - pad.right}" y2="${baseY}"/><line class="axis" x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${baseY}"/>`,
    html`<text class="label" x="${pad.left - 4}" y="${pad.top + 8}" text-anchor="end">${formatCount(max)}</text><text class="label" x="${pad.left - 4}" y="${baseY}" text-anchor="end">0</text>`,
    html`<text class="label" x="${pad.left}" y="${height - 6}">${first}</text><text class="label" x="${width - pad.right}" y="${height - 6}" text-anchor="end">${last}</text>`,
    ...bars,
  ];
  return html`<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" aria-labelledby="${opts.id}-title ${opts.id}-desc">${parts}</svg>`;
}
