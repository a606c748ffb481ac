import crypto from 'node:crypto';
import type { Logger } from '../../../libs/common/src/log.js';
import { ClusterCountView } from './cluster-count-view.js';
import type { CompletionJournal } from './completion-journal.js';
import type { AccessMode } from './config.js';
import { AclSync } from './redis-acl-sync.js';
import { CompletionSync } from './redis-completion-sync.js';
import { openRedisLinks } from './redis-connections.js';
import { LinkHealth } from './redis-link-health.js';
import { PeerSync } from './redis-peer-sync.js';
import { SyncLoop } from './redis-sync-loop.js';
import type { StoreSpec } from './store-url.js';
import type { Clock, ClusterStatus, CompletionEvent, Tracker } from './tracker.js';

/**
 * Several tracker instances sharing swarms and download counts through one Redis, at in-memory speed:
 *
 * - every announce is answered from this process's memory, as with the memory store; nothing waits for Redis;
 * - peer changes (new, updated, stopped) are coalesced per peer and published in batches every `syncMs`
 *   on one pub/sub channel; the other instances merge them into their own swarms, so their replies and
 *   seeder/leecher counts include peers that announced elsewhere. A (re)connected instance sends all its own
 *   peers and a hello, which makes the others send theirs;
 * - completions are counted and journaled here first (the local journal, as with the memory store), then
 *   forwarded in batches to a Lua script that applies the cluster-wide limits (same client once, an address
 *   at most N times per torrent per window), increments the global count and appends to the global feed.
 *   Each batch carries this journal's id and seqs and the script remembers the highest seq applied, so a batch
 *   re-sent after a timeout or a restart is applied once. A completion counted here stays pending (and counted
 *   in this instance's figures) until Redis acknowledges it;
 * - every instance follows the global feed and shows global counts plus its own pending ones.
 *
 * Redis unreachable or stalled: commands time out, the instance logs once, reports `connected: false`, keeps
 * answering and counting from memory, and on return resyncs the counts and hands over what is pending.
 */
export interface ClusterOptions {
  readonly spec: Extract<StoreSpec, { kind: 'redis' }>;
  readonly prefix: string;
  readonly password: string | null;
  readonly completionWindowMs: number;
  readonly completionsPerAddress: number;
  /** Entries of the global feed kept in Redis and in memory for /stats?mode=completions. */
  readonly feedKeep: number;
  readonly peerTimeoutMs: number;
  readonly accessMode: AccessMode;
  /** Longest time between two announces of a live peer (interval + jitter). */
  readonly announceEveryMs: number;
  readonly syncMs?: number;
  readonly commandTimeoutMs?: number;
}

export interface ClusterDeps {
  readonly tracker: Tracker;
  readonly journal: CompletionJournal;
  readonly clock: Clock;
  readonly log: Logger;
  /** The list this instance last loaded from its file; null when none was loaded. */
  readonly fileList: () => ReadonlySet<string> | null;
}

export interface Cluster {
  status(): ClusterStatus;
  /** The list to apply after loading `file`: the union with the other instances' lists; `file` is shared next. */
  accessList(file: ReadonlySet<string>): ReadonlySet<string>;
  /** One last exchange (bounded in time), then disconnects. */
  close(): Promise<void>;
}

/** Wires the parts (see the files they come from) into the tracker's hooks and starts the exchange timer. */
export function startCluster(o: ClusterOptions, d: ClusterDeps): Cluster {
  const { tracker, journal, clock, log } = d;
  const instanceBuf = crypto.randomBytes(8);
  const instance = instanceBuf.toString('hex');
  const counts = new ClusterCountView(journal, tracker.store, clock, o.feedKeep);
  const peers = new PeerSync({ tracker, clock, instance: instanceBuf, peerTimeoutMs: o.peerTimeoutMs, announceEveryMs: o.announceEveryMs });
  const health = new LinkHealth({
    display: o.spec.display,
    instance,
    clock,
    log,
    pendingCompletions: () => counts.pendingTotal,
    remotePeerChanges: () => peers.remoteChanges,
  });
  const links = openRedisLinks(
    { spec: o.spec, password: o.password, commandTimeoutMs: o.commandTimeoutMs, channel: `${o.prefix}peers` },
    {
      message: (msg) => peers.received(msg),
      resubscribed: () => peers.resubscribed(),
      error: (err, msg) => health.noteError(err, msg),
    },
  );

  // the journal stays the local record; the feed and status become the cluster's
  tracker.completions = counts;
  const logCompletion = tracker.onCompletion;
  tracker.onCompletion = (e: CompletionEvent) => {
    counts.completed(e);
    logCompletion?.(e);
  };
  tracker.onAnnounced = (p, out) => peers.announced(p, out);

  const completions = new CompletionSync(
    links.cmd,
    {
      prefix: o.prefix,
      display: o.spec.display,
      journalId: journal.id,
      completionWindowMs: o.completionWindowMs,
      completionsPerAddress: o.completionsPerAddress,
      feedKeep: o.feedKeep,
    },
    counts,
    log,
  );
  const acl =
    o.accessMode === 'open'
      ? null
      : new AclSync(links.cmd, { prefix: o.prefix, journalId: journal.id, fileList: d.fileList, tracker, log });
  const loop = new SyncLoop({ prefix: o.prefix, links, health, peers, counts, completions, acl, log });
  const timer = setInterval(() => void loop.tick(), o.syncMs ?? 250);
  timer.unref();

  return {
    status: () => health.status(),
    accessList: (file) => (acl === null ? file : acl.loaded(file)),
    async close() {
      clearInterval(timer);
      await loop.close();
    },
  };
}
