export { choosePieceLength, pieceCount, MIN_PIECE_LENGTH, MAX_PIECE_LENGTH } from './piece-length.js';
export { encodeTorrent, infoHashOf, magnetUri, MetainfoError, type TorrentSpec, type TorrentFileEntry } from './metainfo.js';
export { hashFiles, splitPieces, type HashFilesOptions, type HashFilesResult } from './hash-files.js';
export { PayloadChangedError, type PayloadFile } from './range-reader.js';
export { buildTorrent, type BuildTorrentOptions, type BuildTorrentFile, type BuiltTorrent } from './build-torrent.js';
