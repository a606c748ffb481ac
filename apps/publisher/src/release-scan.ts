import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { compareNames, isIgnoredName, releaseFingerprint, type ListedFile } from './release-rules.js';

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
      /** Entries inside a folder release that were left out (symlinks, special files), for the log. */
      readonly skipped: readonly string[];
    };

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

async function walk(dir: string, rel: string[], files: ListedFile[], skipped: string[]): Promise<void> {
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
    if (st.isDirectory()) await walk(abs, [...rel, name], files, skipped);
    else if (st.isFile()) files.push({ absPath: abs, path: [...rel, name], size: st.size, mtimeMs: st.mtimeMs, ino: st.ino });
    else skipped.push([...rel, name].join('/') + (st.isSymbolicLink() ? ' (symlink)' : ' (not a regular file)'));
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
  if (st.isSymbolicLink()) return { kind: 'refused', reason: 'is a symlink; symlinks are never published (one could point outside the releases folder)' };
  let files: ListedFile[] = [];
  const skipped: string[] = [];
  let single = true;
  if (st.isFile()) {
    files = [{ absPath: abs, path: [key], size: st.size, mtimeMs: st.mtimeMs, ino: st.ino }];
  } else if (st.isDirectory()) {
    single = false;
    try {
      await walk(abs, [], files, skipped);
    } catch (err) {
      if (isMissing(err)) return { kind: 'missing' };
      throw err;
    }
    if (files.length === 0) return { kind: 'refused', reason: 'is a folder with no publishable files' };
  } else {
    return { kind: 'refused', reason: 'is not a regular file or folder' };
  }
  const size = files.reduce((s, f) => s + f.size, 0);
  if (size === 0) return { kind: 'refused', reason: single ? 'is empty; a zero-length torrent is invalid' : 'holds only empty files; a zero-length torrent is invalid' };
  return {
    kind: 'release', single, files, size, skipped,
    maxMtimeMs: files.reduce((m, f) => Math.max(m, f.mtimeMs), 0),
    fingerprint: releaseFingerprint(files, privateFlag),
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
