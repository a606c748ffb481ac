import type { StatsSite } from './http-app.js';
import type { ReleaseView } from './release-view.js';
import type { FolderFileSum } from './sums.js';
import type { TorrentFileLists } from './torrent-files.js';

/** Files per folder release whose checksums are listed (and computed) at most. */
export const MAX_SUMMED_FILES = 1000;

/** The files of a live folder release whose SHA-256 is known, in torrent order (queues the others). */
export type FolderSumsOf = (r: ReleaseView) => Promise<FolderFileSum[]>;

export function folderSumsReader(site: StatsSite, fileLists: TorrentFileLists): FolderSumsOf {
  return async (r) => {
    const dir = r.dirPath ?? null;
    if (dir === null || r.removedAt !== null || !r.torrentFile) return [];
    const files = (await fileLists.files(r.torrentFile))?.slice(0, MAX_SUMMED_FILES) ?? [];
    const rels = files.map((f) => f.path.join('/'));
    const known = await site.fileSums.lookup(rels.map((rel) => `${dir}/${rel}`));
    return rels.flatMap((rel) => {
      const sha = known.get(`${dir}/${rel}`);
      return sha === undefined ? [] : [{ path: rel, sha256: sha }];
    });
  };
}
