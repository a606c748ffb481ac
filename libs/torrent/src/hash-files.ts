import { Worker } from 'node:worker_threads';
import { runHashJob, type HashJob } from './hash-range.js';
import type { PayloadFile } from './range-reader.js';
import type { HashWorkerMessage } from './hash-worker.js';

export interface HashFilesOptions {
  readonly files: readonly PayloadFile[];
  readonly pieceLength: number;
  /** Also compute the sha256 of the whole payload, in a parallel read of the same bytes. */
  readonly sha256: boolean;
  /** Worker threads to use in total (>= 1). */
  readonly threads: number;
  /** Payloads smaller than this are hashed on the calling thread: a worker costs more than it saves. */
  readonly inlineBelowBytes?: number;
  /** Called with (bytes hashed, bytes to hash); with sha256 on, every byte counts twice. */
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export interface HashFilesResult {
  /** Concatenated 20-byte SHA-1 piece hashes. */
  readonly pieces: Buffer;
  readonly sha256: string | null;
}

const WORKER_URL = new URL('./hash-worker.js', import.meta.url);

/** Splits pieces [0, n) into at most `parts` contiguous, non-empty ranges. */
export function splitPieces(n: number, parts: number): Array<[number, number]> {
  const k = Math.max(1, Math.min(parts, n));
  const out: Array<[number, number]> = [];
  for (let i = 0; i < k; i++) out.push([Math.floor((n * i) / k), Math.floor((n * (i + 1)) / k)]);
  return out;
}

function plan(opts: HashFilesOptions, total: number): HashJob[] {
  const n = Math.ceil(total / opts.pieceLength);
  // sha256 is inherently sequential, so it gets a thread of its own and SHA-1 ranges share the rest.
  const pieceThreads = opts.sha256 ? Math.max(1, opts.threads - 1) : Math.max(1, opts.threads);
  const jobs: HashJob[] = splitPieces(n, pieceThreads).map(([firstPiece, endPiece]) => ({
    kind: 'pieces',
    files: opts.files,
    pieceLength: opts.pieceLength,
    firstPiece,
    endPiece,
  }));
  if (opts.sha256) jobs.push({ kind: 'sha256', files: opts.files });
  return jobs;
}

function abortError(): Error {
  const e = new Error('hashing aborted');
  e.name = 'AbortError';
  return e;
}

function runInWorker(job: HashJob, onBytes: (n: number) => void, signal: AbortSignal | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_URL, { workerData: job });
    let settled = false;
    const finish = (err: Error | null, value?: Buffer): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      void worker.terminate();
      if (err) reject(err);
      else resolve(value as Buffer);
    };
    const onAbort = (): void => finish(abortError());
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (msg: HashWorkerMessage) => {
      if (msg.type === 'progress') onBytes(msg.bytes);
      else if (msg.type === 'done') finish(null, Buffer.from(msg.result));
      else finish(Object.assign(new Error(msg.message), { code: msg.code }));
    });
    worker.on('error', (err) => finish(err));
    worker.on('exit', (code) => finish(new Error(`hash worker exited with code ${code}`)));
  });
}

/**
 * SHA-1 of every piece of the payload (the files concatenated in order) and optionally its sha256, using
 * worker threads that each read their own range of the file(s). Rejects with the fs error (ENOENT, EACCES…),
 * a PayloadChangedError-like error (code EPAYLOADCHANGED) if a file got shorter, or AbortError.
 */
export async function hashFiles(opts: HashFilesOptions): Promise<HashFilesResult> {
  const total = opts.files.reduce((s, f) => s + f.length, 0);
  if (total <= 0) throw new Error('nothing to hash: the payload is empty');
  if (opts.signal?.aborted) throw abortError();
  const jobs = plan(opts, total);
  const grand = total * (opts.sha256 ? 2 : 1);
  let done = 0;
  const onBytes = (n: number): void => {
    done += n;
    opts.onProgress?.(done, grand);
  };
  let results: Buffer[];
  if (total < (opts.inlineBelowBytes ?? 4 * 1024 * 1024)) {
    results = jobs.map((job) => runHashJob(job, onBytes));
  } else {
    const ctrl = new AbortController();
    const onOuterAbort = (): void => ctrl.abort();
    opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
    try {
      // One failing worker stops the others: there is no use finishing a hash that will be thrown away.
      results = await Promise.all(
        jobs.map((job) =>
          runInWorker(job, onBytes, ctrl.signal).catch((err: unknown) => {
            ctrl.abort();
            throw err;
          }),
        ),
      );
    } finally {
      opts.signal?.removeEventListener('abort', onOuterAbort);
      ctrl.abort();
    }
  }
  const pieceParts = opts.sha256 ? results.slice(0, -1) : results;
  const sha = opts.sha256 ? (results[results.length - 1] as Buffer).toString('hex') : null;
  return { pieces: Buffer.concat(pieceParts), sha256: sha };
}
