import { readManifestJson, type ManifestRelease } from '../../../libs/common/src/manifest.js';

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
  /** Root folder of a multi-file release relative to the releases folder, '/'-separated; null otherwise. */
  readonly dirPath: string | null;
  /** SHA-256 of a single file's content (64 lowercase hex digits) when the publisher computed it. */
  readonly sha256: string | null;
  readonly source: 'manifest' | 'torrent';
}

export interface ManifestParse {
  readonly releases: readonly CatalogRelease[];
  /** Entries skipped, with why. */
  readonly problems: readonly string[];
}

export const HEX40 = /^[0-9a-fA-F]{40}$/;

/** A torrent file name we are willing to link to: one plain segment, no dotfile. */
export function isSafeTorrentName(name: string): boolean {
  return name.endsWith('.torrent') && !name.startsWith('.') && !/[/\\\0]/.test(name);
}

function toCatalog(r: ManifestRelease): CatalogRelease {
  const torrent = isSafeTorrentName(r.torrent) ? r.torrent : null;
  // Only magnet links are linked: a hostile manifest must not smuggle a javascript: URL into href.
  const magnet = r.magnet.startsWith('magnet:?') ? r.magnet : null;
  const singleFile = r.sha256 !== null;
  return {
    infoHash: r.infoHash,
    name: r.name,
    size: r.size,
    publishedAt: r.publishedAt,
    removedAt: r.removedAt,
    torrentFile: torrent,
    magnet,
    filePath: singleFile ? r.path : null,
    dirPath: singleFile ? null : r.path,
    sha256: r.sha256,
    source: 'manifest',
  };
}

/**
 * Validates a parsed manifest with libs/common's reader (the rules the publisher writes by). Throws on a wrong
 * top-level shape (the caller keeps its last good copy);
 * skips bad entries. A hash listed twice (removed, then published again) keeps the live entry, else the newest.
 */
export function parseManifest(json: unknown): ManifestParse {
  const read = readManifestJson(json);
  const byHash = new Map<string, CatalogRelease>();
  for (const entry of read.manifest.releases) {
    const r = toCatalog(entry);
    const prev = byHash.get(r.infoHash);
    const better =
      !prev ||
      (prev.removedAt !== null && r.removedAt === null) ||
      ((prev.removedAt === null) === (r.removedAt === null) && (r.publishedAt ?? '') > (prev.publishedAt ?? ''));
    if (better) byHash.set(r.infoHash, r);
  }
  return { releases: [...byHash.values()], problems: read.problems };
}
