import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { isIgnoredName } from '../../../libs/common/src/ignored-names.js';
import { compareNames, releaseFingerprint, type ListedFile } from './release-rules.js';

/** What one top-level entry of releases/ is right now. */
export type ReleaseState =
  | { readonly kind: 'missing' }
  | { readonly kind: 'refused'; readonly reason: string }
  | {
      readonly kind: 'release';
      readonly single: boolean;
      readonly files: readonly ListedFile[];
      readonly size: number;
      readonly maxMtimeMs: number;
      readonly fingerprint: string;
      /**
       * Every file's path, size, exact mtime, ctime and inode: two equal stamps mean nothing was written, added,
       * removed or replaced in between (ctime cannot be set back by a writer, unlike mtime).
       */
      readonly stamp: string;
      /** Latest mtime or ctime of the release's files and folders: when it last changed, as the disk says. */
      readonly changedAtMs: number;
      /** Entries inside a folder release that were left out (symlinks, special files), for the log. */
      readonly skipped: readonly string[];
    };

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

interface Walk {
  readonly files: ListedFile[];
  readonly skipped: string[];
  /** Inode change times, parallel to `files`. */
  readonly ctimes: number[];
  changedAtMs: number;
}

async function walk(dir: string, rel: string[], w: Walk): Promise<void> {
  const names = (await readdir(dir)).filter((n) => !isIgnoredName(n)).sort(compareNames);
  for (const name of names) {
    const abs = path.join(dir, name);
    let st;
    try {
      st = await lstat(abs);
    } catch (err) {
      if (isMissing(err)) continue;
      throw err;
    }
    // lstat, never stat: a symlink (possibly pointing outside releases/) is never followed.
    if (st.isDirectory()) {
      // A file removed or renamed inside shows only on its folder's times.
      w.changedAtMs = Math.max(w.changedAtMs, st.mtimeMs, st.ctimeMs);
      await walk(abs, [...rel, name], w);
    } else if (st.isFile()) {
      w.files.push({ absPath: abs, path: [...rel, name], size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
      w.ctimes.push(st.ctimeMs);
      w.changedAtMs = Math.max(w.changedAtMs, st.mtimeMs, st.ctimeMs);
    } else w.skipped.push([...rel, name].join('/') + (st.isSymbolicLink() ? ' (symlink)' : ' (not a regular file)'));
  }
}

/** Lists the release at releases/<key>. Throws only on unexpected fs errors (EACCES on a folder, EIO…). */
export async function scanRelease(releasesDir: string, key: string, privateFlag: boolean): Promise<ReleaseState> {
  const abs = path.join(releasesDir, key);
  let st;
  try {
    st = await lstat(abs);
  } catch (err) {
    if (isMissing(err)) return { kind: 'missing' };
    throw err;
  }
  if (st.isSymbolicLink())
    return { kind: 'refused', reason: 'is a symlink; symlinks are never published (one could point outside the releases folder)' };
  const w: Walk = { files: [], skipped: [], ctimes: [], changedAtMs: Math.max(st.mtimeMs, st.ctimeMs) };
  let single = true;
  if (st.isFile()) {
    w.files.push({ absPath: abs, path: [key], size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
    w.ctimes.push(st.ctimeMs);
  } else if (st.isDirectory()) {
    single = false;
    try {
      await walk(abs, [], w);
    } catch (err) {
      if (isMissing(err)) return { kind: 'missing' };
      throw err;
    }
    if (w.files.length === 0) return { kind: 'refused', reason: 'is a folder with no publishable files' };
  } else {
    return { kind: 'refused', reason: 'is not a regular file or folder' };
  }
  const { files, skipped } = w;
  const size = files.reduce((s, f) => s + f.size, 0);
  if (size === 0)
    return {
      kind: 'refused',
      reason: single ? 'is empty; a zero-length torrent is invalid' : 'holds only empty files; a zero-length torrent is invalid',
    };
  return {
    kind: 'release',
    single,
    files,
    size,
    skipped,
    maxMtimeMs: files.reduce((m, f) => Math.max(m, f.mtimeMs), 0),
    fingerprint: releaseFingerprint(files, privateFlag),
    stamp: files.map((f, i) => `${JSON.stringify(f.path)}\0${f.size}\0${f.mtimeMs}\0${w.ctimes[i]}\0${f.ino}`).join('\n'),
    changedAtMs: w.changedAtMs,
  };
}

/** Top-level names in releases/ that may be releases (ignored names left out). A missing folder lists nothing. */
export async function listReleaseKeys(releasesDir: string): Promise<string[]> {
  try {
    return (await readdir(releasesDir)).filter((n) => !isIgnoredName(n)).sort(compareNames);
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
}
