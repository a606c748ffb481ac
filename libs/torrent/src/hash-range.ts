import { createHash } from 'node:crypto';
import { RangeReader, type PayloadFile } from './range-reader.js';

/** What one hashing job (a worker, or the caller's thread for small payloads) computes. */
export type HashJob =
  /** SHA-1 of pieces [firstPiece, endPiece). */
  | {
      readonly kind: 'pieces';
      readonly files: readonly PayloadFile[];
      readonly pieceLength: number;
      readonly firstPiece: number;
      readonly endPiece: number;
    }
  /** sha256 of the whole payload (meaningful for single files). */
  | { readonly kind: 'sha256'; readonly files: readonly PayloadFile[] };

export const CHUNK_BYTES = 4 * 1024 * 1024;

function totalOf(files: readonly PayloadFile[]): number {
  return files.reduce((sum, f) => sum + f.length, 0);
}

/**
 * Runs one job with blocking reads into one reused buffer, reporting bytes consumed after every chunk.
 * Returns the 20-byte piece hashes for 'pieces' jobs, the 32-byte digest for 'sha256'.
 */
export function runHashJob(job: HashJob, onBytes: (n: number) => void): Buffer {
  const total = totalOf(job.files);
  const reader = new RangeReader(job.files);
  try {
    if (job.kind === 'sha256') {
      const h = createHash('sha256');
      const buf = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, Math.max(1, total)));
      for (let at = 0; at < total; ) {
        const n = Math.min(buf.length, total - at);
        reader.read(at, buf, n);
        h.update(n === buf.length ? buf : buf.subarray(0, n));
        at += n;
        onBytes(n);
      }
      return h.digest();
    }
    const pl = job.pieceLength;
    const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / pl));
    const out = Buffer.allocUnsafe((job.endPiece - job.firstPiece) * 20);
    const end = Math.min(total, job.endPiece * pl);
    const buf = Buffer.allocUnsafe(Math.min(perChunk * pl, Math.max(1, end - job.firstPiece * pl)));
    let piece = job.firstPiece;
    for (let at = job.firstPiece * pl; at < end; ) {
      const n = Math.min(buf.length, end - at);
      reader.read(at, buf, n);
      for (let off = 0; off < n; off += pl) {
        const slice = buf.subarray(off, Math.min(n, off + pl));
        createHash('sha1')
          .update(slice)
          .digest()
          .copy(out, (piece - job.firstPiece) * 20);
        piece++;
      }
      at += n;
      onBytes(n);
    }
    return out;
  } finally {
    reader.close();
  }
}
