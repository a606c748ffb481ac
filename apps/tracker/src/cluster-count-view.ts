import type { SwarmStore } from '../../../libs/swarm/src/index.js';
import { binToHex } from '../../../libs/protocol/src/bin-key.js';
import type { CompletionJournal } from './completion-journal.js';
import { addressKeyOf, clientKeyOf } from './redis-counts.js';
import { entriesAfter, type FeedEntry } from './redis-feed.js';
import type { Clock, CompletionEvent, CompletionLog, CompletionLogStatus } from './tracker.js';

/** Client and address keys remembered for completions Redis has not acknowledged: a cap against an announce flood. */
const MAX_KEYS = 200_000;

/** The parts of the local journal and of the swarm store the view uses. */
export type ViewJournal = Pick<CompletionJournal, 'record' | 'status' | 'entries' | 'lastSeq'>;
export type ViewStore = Pick<SwarmStore, 'torrents' | 'setDownloaded'>;

/** What one resync read from Redis, in one transaction. */
export interface CountSnapshot {
  readonly clusterId: string | null;
  /** hex info_hash -> global count. */
  readonly counts: Record<string, string>;
  readonly seq: number;
  readonly ack: number;
  readonly feed: FeedEntry[];
}

/**
 * The download counts of one instance in a cluster, with no I/O: the global counts Redis has confirmed plus the
 * completions counted here and not yet acknowledged (pending). As the tracker's completion log, the local journal
 * stays the record while the feed and status become the cluster's. Every update is synchronous, so global and
 * pending change together and no announce reply shows a completion twice or not at all.
 */
export class ClusterCountView implements CompletionLog {
  /** The cluster journal id this view was read from; null until the first resync. */
  clusterId: string | null = null;
  /** Last global feed seq applied to the global counts. */
  cursor = 0;
  /** Highest local journal seq Redis has acknowledged. */
  acked = 0;
  pendingTotal = 0;
  private readonly global = new Map<string, number>();
  private readonly pending = new Map<string, number>();
  /** Global feed entries held for /stats?mode=completions, ascending seq; trimmed to feedKeep. */
  private feed: FeedEntry[] = [];
  /** Client and address keys of journaled completions not yet acknowledged, by local seq. */
  private readonly keys = new Map<number, { c: string; a: string }>();
  private lastRecorded = -1;
  /** Journal entries up to here were counted before this start (state file or replay), not pending. */
  private readonly startSeq: number;

  constructor(
    private readonly journal: ViewJournal,
    private readonly store: ViewStore,
    private readonly clock: Clock,
    private readonly feedKeep: number,
  ) {
    this.startSeq = journal.lastSeq;
  }

  record(key: string, timeMs: number): void {
    const before = this.journal.status();
    this.journal.record(key, timeMs);
    const after = this.journal.status();
    if (after.dropped !== before.dropped) return;
    this.lastRecorded = after.last + after.pending;
    this.addPending(binToHex(key), 1);
  }

  entries(since: number, limit: number): FeedEntry[] {
    return entriesAfter(this.feed, since, limit);
  }

  status(): CompletionLogStatus {
    const j = this.journal.status();
    return {
      id: this.clusterId ?? 'cluster-not-synced',
      first: this.feed.length > 0 ? this.feed[0]![0] : this.cursor + 1,
      last: this.cursor,
      pending: this.pendingTotal,
      writeErrors: j.writeErrors,
      syncErrors: j.syncErrors,
      dropped: j.dropped,
    };
  }

  /** Called right after `record` for the same completion: keeps the keys the cluster-wide limits need. */
  completed(e: CompletionEvent): void {
    if (this.lastRecorded >= 0 && this.keys.size < MAX_KEYS) {
      this.keys.set(this.lastRecorded, { c: clientKeyOf(e.addr, e.addrLen, e.peerId), a: addressKeyOf(e.addr, e.addrLen) });
    }
    this.lastRecorded = -1;
  }

  /** Counts to seed an empty Redis with: what this tracker has counted, less what is pending (sent next). */
  seedCounts(): Array<[hex: string, count: number]> {
    const out: Array<[string, number]> = [];
    for (const [key, t] of this.store.torrents) {
      if (t.downloaded > 0) out.push([binToHex(key), t.downloaded - (this.pending.get(binToHex(key)) ?? 0)]);
    }
    return out;
  }

  /** The acknowledgement that goes with `seedCounts`: the journal seq the seed already includes. */
  seedAck(): number {
    return this.clusterId === null ? this.startSeq : this.acked;
  }

  torrentCount(): number {
    return this.store.torrents.size;
  }

  /** Unacknowledged journal entries (at most `limit`), with the submit script's arguments for each. */
  unacknowledged(limit: number): { batch: FeedEntry[]; args: string[] } {
    const batch = this.journal.entries(this.acked, limit);
    const args: string[] = [];
    for (const [s, t, hex] of batch) {
      const k = this.keys.get(s);
      args.push(String(s), String(t), hex, k?.c ?? '', k?.a ?? '');
    }
    return { batch, args };
  }

  /** Replaces everything with what Redis holds; pending becomes the journal past the acknowledgement. */
  replace(s: CountSnapshot): void {
    this.clusterId = s.clusterId;
    const before = new Set([...this.global.keys(), ...this.pending.keys()]);
    this.global.clear();
    for (const [hex, n] of Object.entries(s.counts)) this.global.set(hex, Number(n));
    this.cursor = s.seq;
    this.acked = s.ack;
    this.pending.clear();
    this.pendingTotal = 0;
    for (const [seq, , hex] of this.journal.entries(this.acked, Number.MAX_SAFE_INTEGER)) {
      if (seq > this.acked) this.addPending(hex, 1);
    }
    for (const k of [...this.keys.keys()]) if (k <= this.acked) this.keys.delete(k);
    this.feed = s.feed;
    for (const [key, t] of this.store.torrents) if (t.downloaded > 0) before.add(binToHex(key));
    for (const hex of this.global.keys()) before.add(hex);
    for (const hex of this.pending.keys()) before.add(hex);
    for (const hex of before) this.show(hex);
  }

  /**
   * Applies feed entries read after the cursor and the acknowledgement of a submitted batch. False, and nothing
   * applied, when the feed does not continue at the cursor (trimmed during a long absence): only a resync is exact.
   */
  advance(fresh: readonly FeedEntry[], batch: readonly FeedEntry[], newAck: number): boolean {
    if (fresh.length > 0 && fresh[0]![0] !== this.cursor + 1) return false;
    const touched = new Set<string>();
    for (const e of fresh) {
      this.global.set(e[2], (this.global.get(e[2]) ?? 0) + 1);
      touched.add(e[2]);
      this.feed.push(e);
      this.cursor = e[0];
    }
    if (this.feed.length > 2 * this.feedKeep) this.feed = this.feed.slice(this.feed.length - this.feedKeep);
    for (const [s, , hex] of batch) {
      if (s > newAck || s <= this.acked) continue;
      this.addPending(hex, -1);
      this.keys.delete(s);
      touched.add(hex);
    }
    this.acked = Math.max(this.acked, newAck);
    for (const hex of touched) this.show(hex);
    return true;
  }

  private show(hex: string): void {
    const minute = Math.floor(this.clock.now() / 60000);
    this.store.setDownloaded(
      Buffer.from(hex, 'hex').toString('latin1'),
      (this.global.get(hex) ?? 0) + (this.pending.get(hex) ?? 0),
      minute,
    );
  }

  private addPending(hex: string, n: number): void {
    const v = (this.pending.get(hex) ?? 0) + n;
    if (v <= 0) this.pending.delete(hex);
    else this.pending.set(hex, v);
    this.pendingTotal += n;
  }
}
