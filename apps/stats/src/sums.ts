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
 * SHA256SUMS of the given releases: live single-file releases whose checksum the publisher recorded, with
 * names relative to the download folder, so `sha256sum -c SHA256SUMS` works next to the downloaded files.
 */
export function sha256sums(releases: readonly ReleaseView[]): string {
  const seen = new Set<string>();
  let out = '';
  for (const r of releases) {
    const name = downloadName(r);
    if (!r.known || r.removedAt !== null || !r.sha256 || name === null || seen.has(name)) continue;
    seen.add(name);
    out += sha256sumLine(r.sha256, name);
  }
  return out;
}
