import crypto from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../../libs/common/src/log.js';
import type { ClusterCountView } from './cluster-count-view.js';
import { SUBMIT_SCRIPT } from './redis-counts.js';
import { type FeedEntry, feedFromNewest, readFeedAfter } from './redis-feed.js';

/** Journal entries forwarded per script call. */
const BATCH = 500;

export interface CompletionSyncOptions {
  readonly prefix: string;
  /** The store as shown in logs (no password). */
  readonly display: string;
  /** This instance's local journal id: Redis remembers the highest seq it applied per journal. */
  readonly journalId: string;
  readonly completionWindowMs: number;
  readonly completionsPerAddress: number;
  readonly feedKeep: number;
}

/** A batch forwarded to Redis and the journal seq Redis acknowledged for it. */
export interface SubmittedBatch {
  readonly batch: readonly FeedEntry[];
  readonly newAck: number;
}

/**
 * The completions' side of the Redis exchange: seeding an empty Redis, full resyncs, forwarding journal batches
 * to the submit script and following the global feed. What it reads goes into the count view.
 */
export class CompletionSync {
  constructor(
    private readonly r: Redis,
    private readonly o: CompletionSyncOptions,
    private readonly view: ClusterCountView,
    private readonly log: Logger,
  ) {}

  /** Full counts, cursor and feed from Redis; the first instance ever seeds Redis with its own counts. */
  async resync(): Promise<void> {
    const P = this.o.prefix;
    const id = await this.clusterJournalId();
    const known = this.view.clusterId;
    if (known !== null && id !== known) {
      // Redis lost its data (no persistence) and was re-seeded by some instance from the counts it had seen,
      // which include what we had handed over: keep our acknowledgement so that is not sent twice
      await this.r.set(`${P}ack:${this.o.journalId}`, String(this.view.acked), 'NX');
      this.log.warn(
        { store: this.o.display, was: known, now: id },
        'redis store was reset: counts restarted from the figures the first instance back had',
      );
    }
    const res = await this.r
      .multi()
      .hgetall(`${P}counts`)
      .get(`${P}seq`)
      .get(`${P}ack:${this.o.journalId}`)
      .xrevrange(`${P}feed`, '+', '-', 'COUNT', this.o.feedKeep)
      .exec();
    if (res === null) throw new Error('redis transaction aborted');
    for (const [err] of res) if (err) throw err;
    // everything in replace() is synchronous: no announce sees a half-applied view
    this.view.replace({
      clusterId: id,
      counts: res[0]![1] as Record<string, string>,
      seq: Number(res[1]![1] ?? 0),
      ack: Number(res[2]![1] ?? 0),
      feed: feedFromNewest(res[3]![1] as Array<[string, string[]]>),
    });
  }

  /** The cluster journal id; an empty Redis gets a new one, seeded with this tracker's counts. */
  private async clusterJournalId(): Promise<string | null> {
    const P = this.o.prefix;
    const id = await this.r.get(`${P}journal`);
    if (id !== null) return id;
    const fresh = crypto.randomBytes(8).toString('hex');
    if ((await this.r.set(`${P}journal`, fresh, 'NX')) === 'OK') {
      // a tracker moving from the memory store to Redis keeps its history: its counts become the start figures
      const m = this.r.multi();
      const seed = this.view.seedCounts();
      for (const [hex, n] of seed) m.hincrby(`${P}counts`, hex, n);
      // what is pending (counted since start, or since the last acknowledgement) is not in the seed: it is sent next
      m.set(`${P}ack:${this.o.journalId}`, String(this.view.seedAck()));
      await m.exec();
      this.log.info(
        { store: this.o.display, torrents: this.view.torrentCount() },
        "redis store initialised with this tracker's download counts",
      );
    }
    return this.r.get(`${P}journal`);
  }

  /** Forwards the next batch of unacknowledged completions; null when Redis was reset meanwhile (resync first). */
  async submit(): Promise<SubmittedBatch | null> {
    const { batch, args } = this.view.unacknowledged(BATCH);
    if (batch.length === 0) return { batch, newAck: this.view.acked };
    const o = this.o;
    const head = [
      o.prefix,
      o.journalId,
      String(o.completionWindowMs),
      String(o.completionsPerAddress),
      String(o.feedKeep),
      this.view.clusterId ?? '',
    ];
    const res = (await this.r.eval(SUBMIT_SCRIPT, 0, ...head, ...args)) as [number, number];
    const newAck = Number(res[0]);
    return newAck < 0 ? null : { batch, newAck };
  }

  /** Reads the feed up to at least what the batch added and applies it; false when only a resync gives exact counts. */
  async follow(sent: SubmittedBatch): Promise<boolean> {
    const fresh = await readFeedAfter(this.r, `${this.o.prefix}feed`, this.view.cursor);
    return this.view.advance(fresh, sent.batch, sent.newAck);
  }
}
