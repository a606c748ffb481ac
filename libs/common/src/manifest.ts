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
