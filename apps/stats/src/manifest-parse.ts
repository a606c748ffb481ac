import type { ManifestRelease } from '../../../libs/common/src/manifest.js';

/** A release the site knows by name, from the manifest or from a .torrent file made by hand. */
export interface CatalogRelease {
  readonly infoHash: string;
  readonly name: string;
  readonly size: number | null;
  readonly publishedAt: string | null;
  readonly removedAt: string | null;
  /** File name inside the torrents folder. */
  readonly torrentFile: string | null;
  readonly magnet: string | null;
  /** Path of a single-file release relative to the releases folder, '/'-separated. */
  readonly filePath: string | null;
  /** The release's file or folder relative to the releases folder ('/'-separated); null when unknown. */
  readonly releasePath?: string | null;
  /** A folder release: every published file below releasePath is part of it. */
  readonly multiFile?: boolean;
  readonly source: 'manifest' | 'torrent';
}

export interface ManifestParse {
  readonly releases: readonly CatalogRelease[];
  /** Entries skipped, with why. */
  readonly problems: readonly string[];
}

export const HEX40 = /^[0-9a-fA-F]{40}$/;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): v is string => typeof v === 'string';
const isoOrNull = (v: unknown): v is string | null => v === null || (str(v) && !Number.isNaN(Date.parse(v)));

/** A torrent file name we are willing to link to: one plain segment, no dotfile. */
export function isSafeTorrentName(name: string): boolean {
  return name.endsWith('.torrent') && !name.startsWith('.') && !/[/\\\0]/.test(name);
}

function checkEntry(v: unknown): CatalogRelease | string {
  if (!isObj(v)) return 'not an object';
  const r = v as Partial<Record<keyof ManifestRelease, unknown>>;
  if (!str(r.infoHash) || !HEX40.test(r.infoHash)) return 'infoHash is not 40 hex digits';
  if (!str(r.name) || r.name === '') return 'name missing';
  if (typeof r.size !== 'number' || !Number.isSafeInteger(r.size) || r.size < 0) return 'size is not a byte count';
  if (!str(r.path) || r.path === '') return 'path missing';
  if (!isoOrNull(r.publishedAt) || r.publishedAt === null) return 'publishedAt is not a date';
  if (r.removedAt !== undefined && !isoOrNull(r.removedAt)) return 'removedAt is not a date';
  const torrent = str(r.torrent) && isSafeTorrentName(r.torrent) ? r.torrent : null;
  // Only magnet links are linked: a hostile manifest must not smuggle a javascript: URL into href.
  const magnet = str(r.magnet) && r.magnet.startsWith('magnet:?') ? r.magnet : null;
  const removedAt = (r.removedAt as string | null | undefined) ?? null;
  const singleFile = r.sha256 !== null;
  return {
    infoHash: r.infoHash.toLowerCase(), name: r.name, size: r.size, publishedAt: r.publishedAt, removedAt,
    torrentFile: torrent, magnet, filePath: singleFile ? r.path : null, releasePath: r.path, multiFile: !singleFile, source: 'manifest',
  };
}

/**
 * Validates a parsed manifest. Throws on a wrong top-level shape (the caller keeps its last good copy);
 * skips bad entries. A hash listed twice (removed, then published again) keeps the live entry, else the newest.
 */
export function parseManifest(json: unknown): ManifestParse {
  if (!isObj(json) || json['version'] !== 1 || !Array.isArray(json['releases'])) {
    throw new Error('not a version 1 manifest ({"version":1,"releases":[...]})');
  }
  const problems: string[] = [];
  const byHash = new Map<string, CatalogRelease>();
  (json['releases'] as unknown[]).forEach((entry, i) => {
    const r = checkEntry(entry);
    if (typeof r === 'string') {
      problems.push(`releases[${i}]: ${r}`);
      return;
    }
    const prev = byHash.get(r.infoHash);
    const better = !prev
      || (prev.removedAt !== null && r.removedAt === null)
      || ((prev.removedAt === null) === (r.removedAt === null) && (r.publishedAt ?? '') > (prev.publishedAt ?? ''));
    if (better) byHash.set(r.infoHash, r);
  });
  return { releases: [...byHash.values()], problems };
}
