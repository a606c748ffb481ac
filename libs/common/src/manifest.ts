/**
 * The publisher's record of every release, read by the stats app.
 * Written atomically (temp + rename) by the publisher only; readers never lock it.
 * Entries are never deleted: a release removed from releases/ gets `removedAt`, so its history survives.
 */
export interface ManifestRelease {
  /** Display name: the file name, or the folder name of a multi-file release. */
  readonly name: string;
  /** Path relative to the releases folder, '/'-separated. */
  readonly path: string;
  /** Total bytes. */
  readonly size: number;
  /** 40 lowercase hex digits. */
  readonly infoHash: string;
  readonly magnet: string;
  readonly pieceLength: number;
  /** ISO 8601. */
  readonly publishedAt: string;
  /** sha256 of the file content, hex; null for multi-file releases. */
  readonly sha256: string | null;
  /** File name of the .torrent inside the torrents folder. */
  readonly torrent: string;
  /** ISO 8601 when the release left releases/ (or was replaced); null while live. */
  readonly removedAt: string | null;
  /**
   * Publisher-internal: digest of the files' paths, sizes, mtimes and inodes (and the private flag) when
   * published, so a restart does not re-hash an unchanged release. Optional: readers may ignore it.
   */
  readonly fingerprint?: string;
}

export interface Manifest {
  readonly version: 1;
  readonly releases: readonly ManifestRelease[];
}

export const EMPTY_MANIFEST: Manifest = Object.freeze({ version: 1, releases: Object.freeze([]) });

/**
 * The one reader and writer of manifest.json, shared by the publisher (which writes it) and the stats app (which
 * reads it). Rules: hashes in either case are accepted and lowercased; a missing removedAt reads as null; unknown
 * fields are dropped. The writer emits exactly what the reader returns (round trip).
 */
export class ManifestError extends Error {
  override name = 'ManifestError';
}

export interface ManifestRead {
  /** Every valid entry, in file order. */
  readonly manifest: Manifest;
  /** Entries skipped, with why (`releases[3]: size is not a byte count`). */
  readonly problems: readonly string[];
}

const HEX40 = /^[0-9a-fA-F]{40}$/;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
const isDate = (v: unknown): v is string => isStr(v) && !Number.isNaN(Date.parse(v));
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** One entry checked and normalized, or the reason it is not one. */
export function checkManifestEntry(v: unknown): ManifestRelease | string {
  if (!isObj(v)) return 'not an object';
  if (!isStr(v['infoHash']) || !HEX40.test(v['infoHash'])) return 'infoHash is not 40 hex digits';
  if (!isStr(v['name']) || v['name'] === '') return 'name missing';
  if (!isCount(v['size'])) return 'size is not a byte count';
  if (!isStr(v['path']) || v['path'] === '') return 'path missing';
  if (!isDate(v['publishedAt'])) return 'publishedAt is not a date';
  const removedAt = v['removedAt'] ?? null;
  if (removedAt !== null && !isDate(removedAt)) return 'removedAt is not a date';
  if (!isStr(v['torrent'])) return 'torrent is not a file name';
  if (!isStr(v['magnet'])) return 'magnet is not a string';
  if (!isCount(v['pieceLength'])) return 'pieceLength is not a byte count';
  const sha256 = v['sha256'] ?? null;
  if (sha256 !== null && !isStr(sha256)) return 'sha256 is not a string or null';
  const fingerprint = v['fingerprint'];
  if (fingerprint !== undefined && !isStr(fingerprint)) return 'fingerprint is not a string';
  return {
    name: v['name'],
    path: v['path'],
    size: v['size'],
    infoHash: v['infoHash'].toLowerCase(),
    magnet: v['magnet'],
    pieceLength: v['pieceLength'],
    publishedAt: v['publishedAt'],
    sha256,
    torrent: v['torrent'],
    removedAt,
    ...(fingerprint !== undefined ? { fingerprint } : {}),
  };
}

/** Validates parsed JSON. Throws ManifestError on a wrong top-level shape; skips (and reports) bad entries. */
export function readManifestJson(json: unknown): ManifestRead {
  if (!isObj(json) || json['version'] !== 1 || !Array.isArray(json['releases'])) {
    throw new ManifestError('not a version 1 manifest ({"version":1,"releases":[...]})');
  }
  const releases: ManifestRelease[] = [];
  const problems: string[] = [];
  (json['releases'] as unknown[]).forEach((entry, i) => {
    const r = checkManifestEntry(entry);
    if (typeof r === 'string') problems.push(`releases[${i}]: ${r}`);
    else releases.push(r);
  });
  return { manifest: { version: 1, releases }, problems };
}

/** Reads manifest.json's text. Throws ManifestError when it is not JSON or not a manifest. */
export function parseManifestText(text: string): ManifestRead {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ManifestError(`not JSON: ${(err as Error).message}`);
  }
  return readManifestJson(json);
}

/** The file's text: two-space JSON and a final newline (diffable, and what the publisher always wrote). */
export function renderManifest(manifest: Manifest): string {
  return `${JSON.stringify({ version: 1, releases: manifest.releases }, null, 2)}\n`;
}
