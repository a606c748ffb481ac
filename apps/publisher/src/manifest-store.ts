import { readFile, rename } from 'node:fs/promises';
import {
  EMPTY_MANIFEST,
  parseManifestText,
  renderManifest,
  type Manifest,
  type ManifestRelease,
} from '../../../libs/common/src/manifest.js';
import { removeStaleTemps, writeFileAtomic } from '../../../libs/common/src/atomic-write.js';

export type ManifestLoad = { readonly manifest: Manifest; readonly warning: string | null };

/**
 * Reads the manifest (libs/common's reader). Missing -> empty. Unreadable JSON, a wrong shape or any bad entry is moved aside to
 * `<file>.corrupt-<time>` (never overwritten: it holds the download history) and an empty manifest is used.
 */
export async function loadManifest(file: string, now: Date): Promise<ManifestLoad> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { manifest: EMPTY_MANIFEST, warning: null };
    throw err;
  }
  let why: string;
  try {
    const read = parseManifestText(text);
    if (read.problems.length === 0) return { manifest: read.manifest, warning: null };
    why = read.problems.slice(0, 3).join('; ');
  } catch (err) {
    why = (err as Error).message;
  }
  const aside = `${file}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`;
  await rename(file, aside);
  return {
    manifest: EMPTY_MANIFEST,
    warning: `manifest ${file} was not a valid manifest (${why}); moved aside to ${aside}, starting empty`,
  };
}

export async function saveManifest(file: string, manifest: Manifest): Promise<void> {
  // One publisher per manifest (instance lock) saving one change at a time: a temp file of it now is one that a
  // publisher killed during a save left, which nothing else would ever remove.
  removeStaleTemps(file);
  await writeFileAtomic(file, renderManifest(manifest));
}

/** Live (not removed) entries for a release path. */
export function liveEntries(manifest: Manifest, relPath: string): ManifestRelease[] {
  return manifest.releases.filter((r) => r.path === relPath && r.removedAt === null);
}

/**
 * Records a published release. A live entry with the same path and info_hash (same content, e.g. touched) is
 * updated in place and keeps its publishedAt; other live entries for that path are marked removed (replaced).
 */
export function recordPublished(manifest: Manifest, entry: ManifestRelease, now: Date): Manifest {
  let updated = false;
  const releases = manifest.releases.map((r) => {
    if (r.path !== entry.path || r.removedAt !== null) return r;
    if (r.infoHash === entry.infoHash && !updated) {
      updated = true;
      return { ...entry, publishedAt: r.publishedAt };
    }
    return { ...r, removedAt: now.toISOString() };
  });
  return { version: 1, releases: updated ? releases : [...releases, entry] };
}

/** Marks every live entry of a path removed; entries are never deleted. */
export function recordRemoved(manifest: Manifest, relPath: string, now: Date): Manifest {
  return {
    version: 1,
    releases: manifest.releases.map((r) => (r.path === relPath && r.removedAt === null ? { ...r, removedAt: now.toISOString() } : r)),
  };
}

/** True while some live entry still uses the hash (then it must stay whitelisted). */
export function hashIsLive(manifest: Manifest, infoHash: string): boolean {
  return manifest.releases.some((r) => r.infoHash === infoHash && r.removedAt === null);
}
