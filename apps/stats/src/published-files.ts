import { isIgnoredName } from '../../../libs/common/src/ignored-names.js';
import type { CatalogRelease } from './manifest-parse.js';

/** The live release a `/files/` URL belongs to. */
export interface PublishedFile {
  readonly infoHash: string;
  /** The URL is the release's single file (a complete GET of it is one direct download). */
  readonly wholeRelease: boolean;
}

/**
 * Which paths under the releases folder the site serves: the file of a live single-file release, and the
 * files inside the folder of a live multi-file release (not the names the publisher ignores: hidden,
 * partial, editor leftovers). Anything else there (a draft, a removed release) is not served.
 */
export class PublishedFiles {
  private readonly single = new Map<string, string>();
  private readonly folders = new Map<string, string>();

  constructor(catalog: readonly CatalogRelease[]) {
    for (const r of catalog) {
      if (r.removedAt !== null) continue;
      if (r.filePath !== null && r.filePath !== '') this.single.set(r.filePath, r.infoHash);
      else if (r.dirPath !== null && r.dirPath !== '') this.folders.set(r.dirPath, r.infoHash);
    }
  }

  lookup(segments: readonly string[]): PublishedFile | null {
    if (segments.length === 0 || segments.some(isIgnoredName)) return null;
    const joined = segments.join('/');
    const one = this.single.get(joined);
    if (one !== undefined) return { infoHash: one, wholeRelease: true };
    for (let i = segments.length - 1; i >= 1; i--) {
      const folder = this.folders.get(segments.slice(0, i).join('/'));
      if (folder !== undefined) return { infoHash: folder, wholeRelease: false };
    }
    return null;
  }
}
