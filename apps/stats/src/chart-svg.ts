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
  /** How many dates the x axis names at most (default: one per ~110 px). */
  readonly xLabels?: number;
  /** Extra class on the <svg>. */
  readonly className?: string;
}

/** Round tick steps (1, 2, 5 × 10^k, at least 1) covering 0..max in about `count` steps. */
export function niceTicks(max: number, count = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const rough = max / count;
  const mag = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= rough) ?? 10 * mag);
  const top = Math.ceil(max / step) * step;
  const out: number[] = [];
  for (let v = 0; v <= top + step / 2; v += step) out.push(v);
  return out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2024-05-03" -> "May 3", or "May 3, 2024" when the chart spans more than one year. */
export function shortDay(date: string, withYear = false): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  return `${MONTHS[Number(m[2]) - 1] ?? '?'} ${Number(m[3])}${withYear ? `, ${m[1]}` : ''}`;
}

/** Indices of `n` points to label: both ends and evenly spaced ones between, at most `max`. */
export function labelIndices(n: number, max: number): number[] {
  if (n <= 0) return [];
  const k = Math.max(1, Math.min(n, max));
  if (k === 1) return [n - 1];
  return [...new Set(Array.from({ length: k }, (_, i) => Math.round((i * (n - 1)) / (k - 1))))];
}

/**
 * A bar chart of downloads per day as inline SVG: no client JavaScript, readable by screen readers
 * (role=img + title + desc), each bar with its own tooltip, a labelled y axis with round ticks and
 * several dates on the x axis. Pure: same data, same string.
 */
export function renderDailyChart(points: readonly DayCount[], opts: ChartOptions): SafeHtml {
  const width = opts.width ?? 720;
  const height = opts.height ?? 220;
  const max = Math.max(0, ...points.map((p) => p.downloads));
  const ticks = niceTicks(max);
  const scaleMax = ticks[ticks.length - 1]!;
  const labelChars = Math.max(...ticks.map((t) => formatCount(t).length));
  const pad = { top: 22, right: 12, bottom: 40, left: 18 + labelChars * 7.5 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const slot = points.length === 0 ? plotW : plotW / points.length;
  const barW = Math.min(40, Math.max(1, slot * 0.8));
  const total = points.reduce((s, p) => s + p.downloads, 0);
  const first = points[0]?.date ?? '';
  const last = points[points.length - 1]?.date ?? '';
  const desc =
    points.length === 0 ? 'No data.' : `${formatCount(total)} downloads from ${first} to ${last}; busiest day ${formatCount(max)}.`;
  const baseY = pad.top + plotH;
  const bars = points.map((p, i) => {
    const h = (p.downloads / scaleMax) * plotH;
    const x = pad.left + i * slot + (slot - barW) / 2;
    const y = baseY - h;
    return html`<rect class="bar" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}"><title>${p.date}: ${formatCount(p.downloads)}</title></rect>`;
  });
  const yTicks = ticks.map((t) => {
    const y = (baseY - (t / scaleMax) * plotH).toFixed(1);
    return html`<line class="grid" x1="${pad.left}" y1="${y}" x2="${width - pad.right}" y2="${y}"/><text class="label" x="${pad.left - 6}" y="${y}" dy="4" text-anchor="end">${formatCount(t)}</text>`;
  });
  const withYear = first.slice(0, 4) !== last.slice(0, 4);
  const xCount = opts.xLabels ?? Math.max(2, Math.floor(plotW / (withYear ? 130 : 110)));
  const xTicks = labelIndices(points.length, xCount).map((i, k, all) => {
    const cx = pad.left + i * slot + slot / 2;
    // the outer labels hug the plot's edges so they are never clipped
    const anchor = all.length > 1 && k === 0 ? 'start' : all.length > 1 && k === all.length - 1 ? 'end' : 'middle';
    const x = anchor === 'start' ? pad.left : anchor === 'end' ? width - pad.right : cx;
    return html`<line class="axis" x1="${cx.toFixed(1)}" y1="${baseY}" x2="${cx.toFixed(1)}" y2="${baseY + 4}"/><text class="label" x="${x.toFixed(1)}" y="${baseY + 18}" text-anchor="${anchor}">${shortDay(points[i]!.date, withYear)}</text>`;
  });
  const parts: SafeHtml[] = [
    html`<title id="${opts.id}-title">${opts.title}</title><desc id="${opts.id}-desc">${desc}</desc>`,
    html`<g aria-hidden="true">`,
    ...yTicks,
    html`<text class="label axis-title" x="${pad.left}" y="12">downloads</text>`,
    html`<text class="label axis-title" x="${width - pad.right}" y="${height - 4}" text-anchor="end">day (UTC)</text>`,
    ...xTicks,
    html`<line class="axis" x1="${pad.left}" y1="${baseY}" x2="${width - pad.right}" y2="${baseY}"/><line class="axis" x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${baseY}"/>`,
    html`</g>`,
    ...bars,
  ];
  const cls = opts.className ? `chart ${opts.className}` : 'chart';
  return html`<svg xmlns="http://www.w3.org/2000/svg" class="${cls}" role="img" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" aria-labelledby="${opts.id}-title ${opts.id}-desc">${parts}</svg>`;
}

/**
 * The same chart twice: a wide one for screens and a narrow one shown below 600 px (CSS), so the labels
 * keep a readable size on a phone instead of shrinking with the whole picture.
 */
export function renderResponsiveChart(points: readonly DayCount[], opts: ChartOptions): SafeHtml {
  return html`${renderDailyChart(points, { ...opts, className: 'chart-wide' })}${renderDailyChart(points, {
    ...opts,
    id: `${opts.id}-narrow`,
    width: 360,
    height: 220,
    xLabels: 3,
    className: 'chart-narrow',
  })}`;
}
