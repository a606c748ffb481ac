import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Splits the part of a `/files/...` URL after `/files/` into path segments, or null when it must be
 * refused: bad percent-encoding, empty/`.`/`..` segments, dotfiles, or a decoded `/`, `\` or NUL
 * (so `..%2f..%2fetc%2fpasswd` cannot climb out).
 */
export function releaseSegments(encodedRest: string): string[] | null {
  if (encodedRest === '') return null;
  const out: string[] = [];
  for (const part of encodedRest.split('/')) {
    let seg: string;
    try {
      seg = decodeURIComponent(part);
    } catch {
      return null;
    }
    if (seg === '' || seg.startsWith('.') || /[/\\\0]/.test(seg)) return null;
    out.push(seg);
  }
  return out;
}

/**
 * The real path of a regular file inside `rootReal` (itself a realpath), or null. Symlinks are
 * followed and then must still land inside the root; anything else is not found.
 */
export async function resolveReleaseFile(rootReal: string, segments: readonly string[]): Promise<string | null> {
  try {
    const real = await fs.realpath(path.join(rootReal, ...segments));
    if (!real.startsWith(rootReal + path.sep)) return null;
    const rel = path.relative(rootReal, real);
    if (rel.split(path.sep).some((s) => s.startsWith('.'))) return null;
    return (await fs.stat(real)).isFile() ? real : null;
  } catch {
    return null;
  }
}
