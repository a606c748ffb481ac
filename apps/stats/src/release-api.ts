import { toCsv } from './csv.js';
import type { ReleaseView } from './release-view.js';
import type { DayCount } from './chart-svg.js';

/**
 * The public JSON shape of a release, with absolute URLs so a CMS can embed them as they are; the other
 * fields are the view's (downloads: BitTorrent plus direct).
 */
export interface ReleaseJson
  extends Pick<
    ReleaseView,
    | 'infoHash'
    | 'name'
    | 'known'
    | 'size'
    | 'publishedAt'
    | 'removedAt'
    | 'downloads'
    | 'downloadsBitTorrent'
    | 'downloadsDirect'
    | 'seeders'
    | 'leechers'
    | 'magnet'
  > {
  readonly firstSeenAt: string | null;
  readonly torrentUrl: string | null;
  readonly fileUrl: string | null;
}

export function releaseJson(v: ReleaseView, baseUrl: string): ReleaseJson {
  return {
    infoHash: v.infoHash,
    name: v.name,
    known: v.known,
    size: v.size,
    publishedAt: v.publishedAt,
    removedAt: v.removedAt,
    firstSeenAt: v.firstSeen === null ? null : new Date(v.firstSeen).toISOString(),
    downloads: v.downloads,
    downloadsBitTorrent: v.downloadsBitTorrent,
    downloadsDirect: v.downloadsDirect,
    seeders: v.seeders,
    leechers: v.leechers,
    torrentUrl: v.torrentPath === null ? null : baseUrl + v.torrentPath,
    magnet: v.magnet,
    fileUrl: v.filePath === null ? null : baseUrl + v.filePath,
  };
}

export function releaseDetailJson(
  v: ReleaseView,
  baseUrl: string,
  history: readonly DayCount[],
): ReleaseJson & { history: readonly DayCount[] } {
  return { ...releaseJson(v, baseUrl), history };
}

const CSV_COLUMNS = [
  'infoHash',
  'name',
  'size',
  'publishedAt',
  'removedAt',
  'downloads',
  'downloadsBitTorrent',
  'downloadsDirect',
  'seeders',
  'leechers',
  'torrentUrl',
  'magnet',
  'fileUrl',
] as const;

export function releasesCsv(views: readonly ReleaseView[], baseUrl: string): string {
  return toCsv(
    CSV_COLUMNS,
    views.map((v) => {
      const j = releaseJson(v, baseUrl);
      return CSV_COLUMNS.map((c) => j[c]);
    }),
  );
}
