import type { ReleaseView } from './release-view.js';

/** How the home page lists releases: `?q=&sort=&order=&page=` (every value checked; bad ones fall back). */
export type SortKey = 'date' | 'name' | 'downloads' | 'size';
export type SortOrder = 'asc' | 'desc';

export interface ListQuery {
  readonly q: string;
  readonly sort: SortKey;
  readonly order: SortOrder;
  readonly page: number;
}

export const PAGE_SIZE = 50;
const MAX_QUERY = 200;
const SORTS: readonly SortKey[] = ['date', 'name', 'downloads', 'size'];
/** What a click on a column header sorts by first: names A-Z, the rest biggest/newest first. */
export const DEFAULT_ORDER: Record<SortKey, SortOrder> = { date: 'desc', name: 'asc', downloads: 'desc', size: 'desc' };

function one(v: unknown): string | undefined {
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
}

/** Reads the query string of a home page request (an object as express gives it). Never throws. */
export function parseListQuery(query: Record<string, unknown>): ListQuery {
  const q = (one(query['q']) ?? '')
    .replace(/[\0-\x1f\x7f]/g, ' ')
    .trim()
    .slice(0, MAX_QUERY);
  const rawSort = one(query['sort']);
  const sort = SORTS.includes(rawSort as SortKey) ? (rawSort as SortKey) : 'date';
  const rawOrder = one(query['order']);
  const order = rawOrder === 'asc' || rawOrder === 'desc' ? rawOrder : DEFAULT_ORDER[sort];
  const rawPage = one(query['page']) ?? '1';
  const page = /^\d{1,6}$/.test(rawPage) && Number(rawPage) >= 1 ? Number(rawPage) : 1;
  return { q, sort, order, page };
}

/** The query string for `q` (defaults left out), '' when all are defaults. */
export function listHref(q: ListQuery): string {
  const p = new URLSearchParams();
  if (q.q !== '') p.set('q', q.q);
  if (q.sort !== 'date') p.set('sort', q.sort);
  if (q.order !== DEFAULT_ORDER[q.sort]) p.set('order', q.order);
  if (q.page !== 1) p.set('page', String(q.page));
  const s = p.toString();
  return s === '' ? '/' : `/?${s}`;
}

/** Case-insensitive match on the name, or a prefix of the info hash. */
export function matches(r: ReleaseView, q: string): boolean {
  if (q === '') return true;
  const needle = q.toLowerCase();
  return r.name.toLowerCase().includes(needle) || (needle.length >= 4 && r.infoHash.startsWith(needle));
}

function compare(a: ReleaseView, b: ReleaseView, sort: SortKey): number {
  switch (sort) {
    case 'name':
      return a.name.localeCompare(b.name, 'en', { numeric: true, sensitivity: 'base' });
    case 'downloads':
      return a.downloads - b.downloads;
    case 'size':
      return (a.size ?? -1) - (b.size ?? -1);
    case 'date':
      return (a.publishedAt ?? '').localeCompare(b.publishedAt ?? '');
  }
}

export interface ListPage {
  readonly rows: readonly ReleaseView[];
  /** Matching releases in all pages. */
  readonly total: number;
  readonly page: number;
  readonly pages: number;
}

/** Filters, sorts (ties by name, then hash, so the order is stable) and cuts one page. */
export function listPage(all: readonly ReleaseView[], q: ListQuery, pageSize = PAGE_SIZE): ListPage {
  const sign = q.order === 'asc' ? 1 : -1;
  const rows = all
    .filter((r) => matches(r, q.q))
    .sort((a, b) => sign * compare(a, b, q.sort) || a.name.localeCompare(b.name) || a.infoHash.localeCompare(b.infoHash));
  const pages = Math.max(1, Math.ceil(rows.length / pageSize));
  const page = Math.min(q.page, pages);
  return { rows: rows.slice((page - 1) * pageSize, page * pageSize), total: rows.length, page, pages };
}
