import { createHash } from 'node:crypto';
import { isIgnoredName } from '../../../libs/common/src/ignored-names.js';

/**
 * The release a path under releases/ belongs to. Rule: every top-level entry is one release. A top-level
 * file is a single-file release; a top-level folder is ONE multi-file release named after the folder, and
 * every file below it (at any depth) belongs to it. Returns null for the folder itself and ignored paths.
 * `relPath` uses '/' or the platform separator.
 */
export function releaseKeyOf(relPath: string): string | null {
  const segments = relPath.split(/[\\/]/).filter((s) => s !== '' && s !== '.');
  if (segments.length === 0 || segments[0] === '..') return null;
  if (segments.some(isIgnoredName)) return null;
  return segments[0] ?? null;
}

/** A file as listed, in torrent order. */
export interface ListedFile {
  readonly absPath: string;
  /** Segments below the release folder (for a single file: just its name). */
  readonly path: readonly string[];
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

/**
 * Identity of a release's on-disk state (and of the settings that change its info_hash). Equal fingerprints
 * mean "already published as is": restarts skip re-hashing. Any size/mtime/inode change or a different
 * file set gives a new one.
 */
export function releaseFingerprint(files: readonly ListedFile[], privateFlag: boolean): string {
  const h = createHash('sha1').update(privateFlag ? 'private\n' : 'public\n');
  for (const f of files) h.update(`${JSON.stringify(f.path)}\0${f.size}\0${Math.trunc(f.mtimeMs)}\0${f.ino}\n`);
  return h.digest('hex');
}

const MAX_TORRENT_BASE_BYTES = 200;

/**
 * The .torrent file name: `<release name>.<first 8 hex of info_hash>.torrent`. The hash part keeps every
 * published version's torrent distinct, so a replaced release never overwrites the torrent that older manifest
 * entries point at. The name is cut at 200 UTF-8 bytes (whole characters) to stay under NAME_MAX.
 */
export function torrentFileName(name: string, infoHash: string): string {
  let base = '';
  let bytes = 0;
  for (const ch of name) {
    const n = Buffer.byteLength(ch);
    if (bytes + n > MAX_TORRENT_BASE_BYTES) break;
    base += ch;
    bytes += n;
  }
  return `${base}.${infoHash.slice(0, 8)}.torrent`;
}

/** Byte order (what libuv's scandir returns and so what create-torrent uses for folder torrents). */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
