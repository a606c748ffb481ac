import { magnetUri } from '../../../libs/torrent/src/metainfo.js';
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
  /** A live multi-file release's folder, relative to the releases folder ('/'-separated). */
  readonly dirPath?: string | null;
  /** File name inside the torrents folder. */
  readonly torrentFile?: string | null;
  /** SHA-256 of a single-file release, from the publisher's manifest. */
  readonly sha256?: string | null;
}

/** Tracker and web-seed URLs the site hands out now (they may differ from those in the published files). */
export interface CurrentLinks {
  readonly announceUrls: readonly string[];
  readonly webSeeds: readonly string[];
}

/**
 * Magnet links rebuilt with the current trackers and web seeds: the info_hash does not depend on them, so
 * moving the site or the tracker changes the links without re-hashing anything. Web seeds only for releases
 * whose files the site serves.
 */
export function withCurrentLinks(views: readonly ReleaseView[], links: CurrentLinks): ReleaseView[] {
  return views.map((v) => ({
    ...v,
    magnet: magnetUri(
      v.infoHash,
      v.name === v.infoHash ? '' : v.name,
      links.announceUrls,
      v.filePath !== null || (v.dirPath ?? null) !== null ? links.webSeeds : [],
    ).replace(/&dn=(?=&|$)/, ''),
  }));
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
      infoHash: c.infoHash,
      name: c.name,
      known: true,
      size: c.size,
      publishedAt: c.publishedAt,
      removedAt: c.removedAt,
      downloads: (s?.total ?? 0) + (s?.direct ?? 0),
      downloadsBitTorrent: s?.total ?? 0,
      downloadsDirect: s?.direct ?? 0,
      seeders: s?.seeders ?? 0,
      leechers: s?.leechers ?? 0,
      firstSeen: s?.firstSeen ?? null,
      torrentPath: c.torrentFile === null ? null : torrentUrlPath(c.torrentFile),
      magnet: c.magnet ?? `magnet:?xt=urn:btih:${c.infoHash}`,
      filePath: c.filePath === null || c.removedAt !== null ? null : fileUrlPath(c.filePath),
      dirPath: c.removedAt !== null ? null : c.dirPath,
      torrentFile: c.torrentFile,
      sha256: c.sha256,
    };
  });
  const live = views
    .filter((v) => v.removedAt === null)
    .sort((a, b) => byNewest(a.publishedAt, b.publishedAt) || a.name.localeCompare(b.name));
  const removed = views.filter((v) => v.removedAt !== null).sort((a, b) => byNewest(a.removedAt, b.removedAt));
  const strangers: ReleaseView[] =
    unknown === 'hide'
      ? []
      : stats
          .filter((s) => !known.has(s.infoHash))
          .sort((a, b) => b.total + b.direct - (a.total + a.direct) || a.infoHash.localeCompare(b.infoHash))
          .map((s) => ({
            infoHash: s.infoHash,
            name: s.infoHash,
            known: false,
            size: null,
            publishedAt: null,
            removedAt: null,
            downloads: s.total + s.direct,
            downloadsBitTorrent: s.total,
            downloadsDirect: s.direct,
            seeders: s.seeders,
            leechers: s.leechers,
            firstSeen: s.firstSeen,
            torrentPath: null,
            magnet: `magnet:?xt=urn:btih:${s.infoHash}`,
            filePath: null,
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

const DAY_MS = 86_400_000;
/** The longest chart on a release page; the history table below it lists every day. */
export const MAX_CHART_DAYS = 365;

/**
 * Days a release's chart covers: from the day it was published (or first seen by the tracker) to today,
 * so a release published today gets one day, not three months of empty bars.
 */
export function chartDays(r: Pick<ReleaseView, 'publishedAt' | 'firstSeen'>, now: number, max = MAX_CHART_DAYS): number {
  const published = r.publishedAt === null ? Number.NaN : Date.parse(r.publishedAt);
  const start = Number.isNaN(published) ? r.firstSeen : r.firstSeen === null ? published : Math.min(published, r.firstSeen);
  if (start === null) return Math.min(30, max);
  const days = Math.floor(now / DAY_MS) - Math.floor(start / DAY_MS) + 1;
  return Math.max(1, Math.min(max, days));
}
