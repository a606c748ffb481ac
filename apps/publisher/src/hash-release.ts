import type { Logger } from '../../../libs/common/src/log.js';
import { SUITE_NAME, SUITE_VERSION } from '../../../libs/common/src/version.js';
import { buildTorrent, type BuiltTorrent } from '../../../libs/torrent/src/index.js';
import type { PublisherConfig } from './config.js';
import { createProgress, type ProgressSink } from './progress.js';
import type { ReleaseState } from './release-scan.js';

export const CREATED_BY = `${SUITE_NAME}/${SUITE_VERSION}`;
/** Payloads at least this big report hashing progress. */
const PROGRESS_MIN_BYTES = 64 * 1024 * 1024;

export type ScannedRelease = Extract<ReleaseState, { kind: 'release' }>;

/** Builds the .torrent of one scanned release with our announce URLs and web seed. */
export async function hashRelease(
  key: string,
  state: ScannedRelease,
  config: PublisherConfig,
  io: { readonly log: Logger; readonly sink: ProgressSink; readonly signal: AbortSignal },
): Promise<BuiltTorrent> {
  io.signal.throwIfAborted();
  const progress = state.size >= PROGRESS_MIN_BYTES ? createProgress(key, io.log, io.sink, Date.now) : null;
  io.log.info({ release: key, size: state.size, files: state.files.length }, 'hashing');
  try {
    return await buildTorrent({
      name: key,
      single: state.single,
      files: state.files.map((f) => ({ absPath: f.absPath, path: f.path, length: f.size })),
      announceList: [[config.announceHttpUrl], [config.announceUdpUrl]],
      urlList: [config.webSeedBaseUrl],
      comment: `${key}, published with ${CREATED_BY}`,
      createdBy: CREATED_BY,
      // From the content's mtime, not the clock: rebuilding the same file gives the same bytes.
      creationDate: Math.ceil(state.maxMtimeMs / 1000),
      private: config.private,
      threads: config.hashThreads,
      sha256: state.single,
      signal: io.signal,
      ...(progress ? { onProgress: (d: number, t: number) => progress.update(d, t) } : {}),
    });
  } finally {
    progress?.end();
  }
}
