import type { Logger } from '../../../libs/common/src/log.js';
import type { PublisherConfig } from './config.js';
import { hashRelease } from './hash-release.js';
import type { ManifestCommits } from './manifest-commits.js';
import type { ProgressSink } from './progress.js';
import type { ReleaseWork } from './release-queue.js';
import { scanRelease } from './release-scan.js';
import type { WhitelistFile } from './whitelist-file.js';

export interface ReleaseWorkDeps {
  readonly commits: ManifestCommits;
  readonly whitelist: WhitelistFile;
  readonly log: Logger;
  readonly sink: ProgressSink;
  /** Aborts a hash in progress when the publisher closes. */
  readonly signal: AbortSignal;
}

/** The I/O the release queue runs for each release: scan the folder, hash it, commit it or mark it gone. */
export function releaseWork(config: PublisherConfig, deps: ReleaseWorkDeps): ReleaseWork {
  const { commits, whitelist, log, sink, signal } = deps;
  return {
    scan: (key) => scanRelease(config.releasesDir, key, config.private),
    async hash(key, state) {
      const existing = await commits.alreadyPublished(key, state.fingerprint);
      if (existing) {
        log.debug({ release: key, infoHash: existing.infoHash }, 'already published, unchanged');
        whitelist.add(existing.infoHash, key);
        return null;
      }
      return hashRelease(key, state, config, { log, sink, signal });
    },
    publish: (key, state, built, ms) => commits.publish(key, state, built, ms),
    gone: (key, state) => commits.markGone(key, state.kind === 'missing' ? 'gone from the releases folder' : 'no longer publishable'),
  };
}
