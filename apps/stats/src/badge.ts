import { xmlText } from './feed.js';
import { formatCount } from './format.js';

/** Approximate advance widths of Verdana at 11 px (what shields-style badges are drawn with). */
const NARROW = new Set([..."fijlrt.,:;!|' ()[]"]);
const WIDE = new Set([...'mwMW@%']);

export function textWidth(s: string): number {
  let w = 0;
  for (const c of s) w += NARROW.has(c) ? 3.9 : WIDE.has(c) ? 10.5 : /[A-Z0-9]/.test(c) ? 7.6 : c === '-' ? 4.6 : 6.6;
  return Math.ceil(w);
}

/** 1234 -> "1,234"; 123456 -> "123k"; 1234567 -> "1.2M": short enough for a badge. */
export function shortCount(n: number): string {
  if (n < 100_000) return formatCount(n);
  if (n < 1_000_000) return `${Math.floor(n / 1000)}k`;
  const m = n / 1_000_000;
  return `${m < 100 ? Math.floor(m * 10) / 10 : Math.floor(m)}M`;
}

/** A shields.io "flat" style badge: grey label, coloured value. Pure. */
export function renderBadge(label: string, value: string, color = '#007ec6'): string {
  const lw = textWidth(label) + 12;
  const vw = textWidth(value) + 12;
  const w = lw + vw;
  const l = xmlText(label);
  const v = xmlText(value);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${l}: ${v}"><title>${l}: ${v}</title>` +
    `<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>` +
    `<clipPath id="r"><rect width="${w}" height="20" rx="3" fill="#fff"/></clipPath>` +
    `<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${vw}" height="20" fill="${color}"/><rect width="${w}" height="20" fill="url(#s)"/></g>` +
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">` +
    `<text x="${lw / 2}" y="15" fill="#010101" fill-opacity=".3">${l}</text><text x="${lw / 2}" y="14">${l}</text>` +
    `<text x="${lw + vw / 2}" y="15" fill="#010101" fill-opacity=".3">${v}</text><text x="${lw + vw / 2}" y="14">${v}</text></g></svg>\n`
  );
}

/** A badge label from a query parameter: printable, at most 40 characters; the default otherwise. */
export function badgeLabel(raw: unknown, dflt = 'downloads'): string {
  if (typeof raw !== 'string') return dflt;
  const s = raw
    .replace(/[\0-\x1f\x7f]/g, '')
    .trim()
    .slice(0, 40);
  return s === '' ? dflt : s;
}
