/** mktorrent accepts piece lengths 2^15..2^28 only; staying inside keeps every torrent reproducible with it. */
export const MIN_PIECE_LENGTH = 32 * 1024;
/** create-torrent's default cap (`maxPieceLength`). */
export const MAX_PIECE_LENGTH = 4 * 1024 * 1024;

/**
 * create-torrent's default piece length (the `piece-length` package: about 1/1024 of the size, rounded to a
 * power of two, 1 GiB -> 1 MiB), clamped to [32 KiB, 4 MiB]. The floor differs from create-torrent's 16 KiB
 * on purpose: an independent tool (mktorrent) must be able to rebuild the same info_hash.
 */
export function choosePieceLength(totalBytes: number): number {
  const raw = Math.max(16384, 1 << ((Math.log2(totalBytes < 1024 ? 1 : totalBytes / 1024) + 0.5) | 0));
  return Math.min(MAX_PIECE_LENGTH, Math.max(MIN_PIECE_LENGTH, raw));
}

/** Number of pieces for a payload; a zero-length payload has none (and is not a valid torrent). */
export function pieceCount(totalBytes: number, pieceLength: number): number {
  return Math.ceil(totalBytes / pieceLength);
}
