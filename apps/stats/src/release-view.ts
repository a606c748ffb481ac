import type { UnknownHashes } from './config.js';
import type { DayCount } from './chart-svg.js';
import { lastDays } from './format.js';
import type { CatalogRelease } from './manifest-parse.js';
import type { DailyRow, HashStats } from './stats-store.js';

/** One row of the public page and of the API: catalog facts joined with tracker numbers. */
export interface ReleaseView {
  readonly infoHash: string;
  readonly name: string;
  /** False for a hash only the tracker knows. */
  readonly known: boolean;
  readonly size: number | null;
  readonly publishedAt: string | null;
  readonly removedAt: string | null;
  /** BitTorrent plus direct. */
  readonly downloads: number;
  readonly downloadsBitTorrent: number;
  readonly downloadsDirect: number;
  readonly seeders: number;
  readonly leechers: number;
  /** Epoch ms of the first poll that saw this hash. */
  readonly firstSeen: number | null;
  /** Site-relative links (already percent-encoded). */
  readonly torrentPath: string | null;
  readonly magnet: string;
  readonly filePath: string | null;
}

export function torrentUrlPath(fileName: string): string {
  return `/torrents/${encodeURIComponent(fileName)}`;
}

/** `/files/<path>`: the same encoding the publisher uses for the BEP 19 web seed. */
export function fileUrlPath(relPath: string): string {
  return `/files/${relPath.split('/').map(encodeURIComponent).join('/')}`;
}

function byNewest(a: string | null, b: string | null): number {
  return (b ?? '').localeCompare(a ?? '');
}

/** Live releases newest first, then removed ones (most recently removed first), then unknown hashes. */
export function buildReleaseViews(catalog: readonly CatalogRelease[], stats: readonly HashStats[], unknown: UnknownHashes): ReleaseView[] {
  const byHash = new Map(stats.map((s) => [s.infoHash, s]));
  const known = new Set<string>();
  const views: ReleaseView[] = catalog.map((c) => {
    known.add(c.infoHash);
    const s = byHash.get(c.infoHash);
    return {
      infoHash: c.infoHash, name: c.name, known: true, size: c.size, publishedAt: c.publishedAt, removedAt: c.removedAt,
      downloads: (s?.total ?? 0) + (s?.direct ?? 0), downloadsBitTorrent: s?.total ?? 0, downloadsDirect: s?.direct ?? 0, seeders: s?.seeders ?? 0, leechers: s?.leechers ?? 0, firstSeen: s?.firstSeen ?? null,
      torrentPath: c.torrentFile === null ? null : torrentUrlPath(c.torrentFile),
      magnet: c.magnet ?? `magnet:?xt=urn:btih:${c.infoHash}`,
      filePath: c.filePath === null || c.removedAt !== null ? null : fileUrlPath(c.filePath),
    };
  });
  const live = views.filter((v) => v.removedAt === null).sort((a, b) => byNewest(a.publishedAt, b.publishedAt) || a.name.localeCompare(b.name));
  const removed = views.filter((v) => v.removedAt !== null).sort((a, b) => byNewest(a.removedAt, b.removedAt));
  const strangers: ReleaseView[] = unknown === 'hide' ? [] : stats.filter((s) => !known.has(s.infoHash))
    .sort((a, b) => b.total + b.direct - (a.total + a.direct) || a.infoHash.localeCompare(b.infoHash))
    .map((s) => ({
      infoHash: s.infoHash, name: s.infoHash, known: false, size: null, publishedAt: null, removedAt: null,
      downloads: s.total + s.direct, downloadsBitTorrent: s.total, downloadsDirect: s.direct, seeders: s.seeders, leechers: s.leechers, firstSeen: s.firstSeen,
      torrentPath: null, magnet: `magnet:?xt=urn:btih:${s.infoHash}`, filePath: null,
    }));
  return [...live, ...removed, ...strangers];
}

export interface SiteTotals {
  readonly downloads: number;
  /** Earliest first-seen of the releases shown; null before any poll saw one. */
  readonly since: number | null;
}

export function siteTotals(views: readonly ReleaseView[]): SiteTotals {
  const seen = views.map((v) => v.firstSeen).filter((t): t is number => t !== null);
  return { downloads: views.reduce((s, v) => s + v.downloads, 0), since: seen.length ? Math.min(...seen) : null };
}

/** Downloads per day over the `days` days ending today, summed over `hashes`, zero-filled. */
export function dailySeries(rows: readonly DailyRow[], hashes: ReadonlySet<string>, now: number, days: number): DayCount[] {
  const sums = new Map<string, number>();
  for (const r of rows) if (hashes.has(r.infoHash)) sums.set(r.date, (sums.get(r.date) ?? 0) + r.downloads);
  return lastDays(now, days).map((date) => ({ date, downloads: sums.get(date) ?? 0 }));
}
