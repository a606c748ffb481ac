import { createHash } from 'node:crypto';
import bencode from 'bencode';

/** One file of a multi-file torrent; `path` is relative to the torrent's root folder, split in segments. */
export interface TorrentFileEntry {
  readonly path: readonly string[];
  readonly length: number;
}

export interface TorrentSpec {
  readonly name: string;
  /** null: single-file torrent of `length` bytes; otherwise the files in piece order. */
  readonly files: readonly TorrentFileEntry[] | null;
  readonly length: number;
  readonly pieceLength: number;
  /** Concatenated 20-byte SHA-1 piece hashes. */
  readonly pieces: Uint8Array;
  /** Tiers; the first URL of the first tier also becomes `announce`. Never empty for our releases. */
  readonly announceList: readonly (readonly string[])[];
  readonly urlList: readonly string[];
  readonly comment: string;
  readonly createdBy: string;
  /** Seconds since the epoch. Fixed by the caller (e.g. from mtime) so rebuilding gives identical bytes. */
  readonly creationDate: number;
  /**
   * true writes `private: 1`. false OMITS the key: `private: 0` would change the info_hash away from
   * mktorrent's and create-torrent's default (transmission-create writes private:0, a different hash).
   */
  readonly private: boolean;
}

export class MetainfoError extends Error {
  override name = 'MetainfoError';
}

/**
 * Builds .torrent bytes laid out exactly as create-torrent 6 does for the same inputs (same keys, including
 * its constant `encoding: 'UTF-8'`, bencode's sorted keys), so the output is byte-for-byte comparable.
 */
export function encodeTorrent(spec: TorrentSpec): Uint8Array {
  if (spec.length <= 0) throw new MetainfoError('a torrent needs at least one byte of content');
  if (spec.pieces.length !== Math.ceil(spec.length / spec.pieceLength) * 20) {
    throw new MetainfoError(`pieces has ${spec.pieces.length} bytes, expected ${Math.ceil(spec.length / spec.pieceLength) * 20}`);
  }
  const tiers = spec.announceList.map((tier) => [...tier]).filter((tier) => tier.length > 0);
  const first = tiers[0]?.[0];
  if (first === undefined) throw new MetainfoError('announce list is empty');
  const info: Record<string, unknown> = { name: spec.name, 'piece length': spec.pieceLength, pieces: spec.pieces };
  if (spec.private) info['private'] = 1;
  if (spec.files === null) info['length'] = spec.length;
  else info['files'] = spec.files.map((f) => ({ length: f.length, path: [...f.path] }));
  const torrent: Record<string, unknown> = {
    info,
    'creation date': spec.creationDate,
    encoding: 'UTF-8',
    announce: first,
    'announce-list': tiers,
    comment: spec.comment,
    'created by': spec.createdBy,
  };
  if (spec.urlList.length > 0) torrent['url-list'] = [...spec.urlList];
  return bencode.encode(torrent);
}

/** SHA-1 of the bencoded `info` dict of a .torrent, as 40 lowercase hex digits. */
export function infoHashOf(torrent: Uint8Array): string {
  const decoded = bencode.decode(torrent) as { info?: unknown };
  if (decoded.info === undefined) throw new MetainfoError('no info dict');
  return createHash('sha1').update(bencode.encode(decoded.info)).digest('hex');
}

/** BEP 9 magnet link with BEP 19 web seeds (`ws`), every value percent-encoded. */
export function magnetUri(infoHash: string, name: string, trackers: readonly string[], webSeeds: readonly string[]): string {
  const parts = [`xt=urn:btih:${infoHash}`, `dn=${encodeURIComponent(name)}`];
  for (const t of trackers) parts.push(`tr=${encodeURIComponent(t)}`);
  for (const w of webSeeds) parts.push(`ws=${encodeURIComponent(w)}`);
  return `magnet:?${parts.join('&')}`;
}
