import { hashFiles } from './hash-files.js';
import { encodeTorrent, infoHashOf, magnetUri, type TorrentSpec } from './metainfo.js';
import { choosePieceLength } from './piece-length.js';

export interface BuildTorrentFile {
  readonly absPath: string;
  /** Segments below the torrent's root folder; ignored for single-file torrents. */
  readonly path: readonly string[];
  readonly length: number;
}

/** The metainfo fields are written as given (see TorrentSpec); the rest says what to hash and how. */
export interface BuildTorrentOptions
  extends Pick<TorrentSpec, 'name' | 'announceList' | 'urlList' | 'comment' | 'createdBy' | 'creationDate' | 'private'> {
  /** true: `files` holds exactly one file and the torrent is a single-file torrent. */
  readonly single: boolean;
  readonly files: readonly BuildTorrentFile[];
  readonly pieceLength?: number;
  readonly threads: number;
  readonly sha256: boolean;
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export interface BuiltTorrent {
  readonly torrent: Uint8Array;
  readonly infoHash: string;
  readonly magnet: string;
  readonly pieceLength: number;
  readonly length: number;
  readonly sha256: string | null;
}

/** Hashes the payload with the parallel hasher and encodes a create-torrent-identical .torrent. */
export async function buildTorrent(opts: BuildTorrentOptions): Promise<BuiltTorrent> {
  if (opts.single && opts.files.length !== 1) throw new Error('a single-file torrent needs exactly one file');
  const length = opts.files.reduce((s, f) => s + f.length, 0);
  const pieceLength = opts.pieceLength ?? choosePieceLength(length);
  const { pieces, sha256 } = await hashFiles({
    files: opts.files,
    pieceLength,
    sha256: opts.sha256,
    threads: opts.threads,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  const torrent = encodeTorrent({
    name: opts.name,
    files: opts.single ? null : opts.files.map((f) => ({ path: f.path, length: f.length })),
    length,
    pieceLength,
    pieces,
    announceList: opts.announceList,
    urlList: opts.urlList,
    comment: opts.comment,
    createdBy: opts.createdBy,
    creationDate: opts.creationDate,
    private: opts.private,
  });
  const infoHash = infoHashOf(torrent);
  return {
    torrent,
    infoHash,
    pieceLength,
    length,
    sha256,
    magnet: magnetUri(infoHash, opts.name, opts.announceList.flat(), opts.urlList),
  };
}
