import type { ReleaseView } from './release-view.js';

/**
 * `sha256sum -c` input: one "<hex>  <name>" line per file. A name holding a backslash, CR or LF is written
 * the way GNU coreutils writes it: the line starts with a backslash and those characters are escaped.
 */
export function sha256sumLine(sha256: string, name: string): string {
  if (!/[\\\n\r]/.test(name)) return `${sha256}  ${name}\n`;
  return `\\${sha256}  ${name.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}\n`;
}

/** The file name a visitor's download of a single-file release gets: the last segment of its /files/ link. */
export function downloadName(r: ReleaseView): string | null {
  if (r.filePath === null) return null;
  const last = r.filePath.split('/').pop() ?? '';
  try {
    return decodeURIComponent(last) || null;
  } catch {
    return null;
  }
}

/**
 * SHA256SUMS of the given releases: live single-file releases whose checksum the publisher recorded, then
 * the known files of live folder releases as `<folder>/<path>` (the layout a BitTorrent client writes), with
 * names relative to the download folder, so `sha256sum -c SHA256SUMS` works next to the downloaded files.
 */
export function sha256sums(releases: readonly ReleaseView[], folders: ReadonlyMap<string, readonly FolderFileSum[]> = new Map()): string {
  const seen = new Set<string>();
  let out = '';
  for (const r of releases) {
    const name = downloadName(r);
    if (!r.known || r.removedAt !== null || !r.sha256 || name === null || seen.has(name)) continue;
    seen.add(name);
    out += sha256sumLine(r.sha256, name);
  }
  for (const r of releases) {
    const dir = r.dirPath ?? null;
    if (!r.known || r.removedAt !== null || dir === null) continue;
    for (const f of folders.get(r.infoHash) ?? []) out += sha256sumLine(f.sha256, `${dir}/${f.path}`);
  }
  return out;
}

/** One file of a folder release: its path inside the folder ('/'-separated) and checksum. */
export interface FolderFileSum {
  readonly path: string;
  readonly sha256: string;
}
