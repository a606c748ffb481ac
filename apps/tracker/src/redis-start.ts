import fs from 'node:fs';
import type { Logger } from '../../../libs/common/src/log.js';
import type { CompletionJournal } from './completion-journal.js';
import type { TrackerConfig } from './config.js';
import { startCluster, type Cluster } from './redis-cluster.js';
import type { Clock, Tracker } from './tracker.js';

/** Null with the memory store. The password: --store-password-file, else REDIS_PASSWORD, else the URL's. */
export function startClusterFromConfig(
  config: TrackerConfig,
  deps: { tracker: Tracker; journal: CompletionJournal; clock: Clock; log: Logger; fileList: () => ReadonlySet<string> | null },
  env: NodeJS.ProcessEnv = process.env,
): Cluster | null {
  const spec = config.store;
  if (spec.kind !== 'redis') return null;
  let password = spec.password;
  if (config.storePasswordFile !== null) {
    // a missing or unreadable file is a setup error worth stopping for, like a bad flag
    try {
      password = fs.readFileSync(config.storePasswordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new Error(
        `--store-password-file ${config.storePasswordFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      );
    }
  } else if (env['REDIS_PASSWORD'] !== undefined && env['REDIS_PASSWORD'] !== '') {
    password = env['REDIS_PASSWORD'];
  }
  deps.log.info(
    { store: spec.display, prefix: config.storePrefix },
    'redis store: sharing swarms and download counts with other instances',
  );
  const cluster = startCluster(
    {
      spec,
      prefix: config.storePrefix,
      password,
      completionWindowMs: config.completionWindowSeconds * 1000,
      completionsPerAddress: config.completionsPerAddress,
      feedKeep: Math.min(config.journalKeep, 100_000),
      peerTimeoutMs: config.peerTimeoutSeconds * 1000,
      accessMode: config.accessMode,
      announceEveryMs: (config.intervalSeconds + config.intervalJitterSeconds) * 1000,
    },
    deps,
  );
  deps.tracker.cluster = cluster;
  return cluster;
}
