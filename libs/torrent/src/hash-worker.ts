import { parentPort, workerData } from 'node:worker_threads';
import { runHashJob, type HashJob } from './hash-range.js';

/** Messages a hash worker posts to its parent. */
export type HashWorkerMessage =
  | { readonly type: 'progress'; readonly bytes: number }
  | { readonly type: 'done'; readonly result: Uint8Array }
  | { readonly type: 'error'; readonly code: string | undefined; readonly message: string };

const port = parentPort;
if (port !== null) {
  try {
    const result = runHashJob(workerData as HashJob, (bytes) => port.postMessage({ type: 'progress', bytes } satisfies HashWorkerMessage));
    port.postMessage({ type: 'done', result } satisfies HashWorkerMessage);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    port.postMessage({ type: 'error', code: e.code, message: e.message } satisfies HashWorkerMessage);
  }
}
