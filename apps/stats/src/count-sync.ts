import type { Logger } from '../../../libs/common/src/log.js';
import { counterEpoch, type ClockReading } from './accumulate.js';
import type { CappedGet, CappedGetLimits } from './capped-get.js';
import { feedUrl, parseCompletionFeed, type CompletionBatch } from './parse-completions.js';
import { completedModeUrl, everythingModeUrl, parseCompletedMode, parseEverythingMode } from './parse-mrtg.js';
import type { TxtpEntry } from '../../../libs/protocol/src/txtp.js';
import type { StatsPoller } from './stats-poller.js';
import type { CountGap, FeedCursor, StatsStore } from './stats-store.js';

/** Where download counts come from: the tracker's completion feed, its per-torrent counters, or whichever it has. */
export type CountSource = 'feed' | 'counters' | 'auto';

export interface CountSyncOptions {
  readonly statsUrl: string;
  readonly source: CountSource;
  readonly limits: CappedGetLimits;
  /** Entries asked for per feed request (the feed allows up to 10000). */
  readonly feedPage: number;
  /** Feed requests per poll at most; the rest comes at the next poll. */
  readonly maxFeedPages: number;
}

export type SyncOutcome =
  | { readonly ok: true; readonly mode: 'feed' | 'counters'; readonly newDownloads: number; readonly torrents: number }
  | { readonly ok: false; readonly error: string };

/** What the health endpoint says about counting. */
export interface CountHealth {
  readonly source: CountSource;
  /** What the last successful poll used. */
  readonly mode: 'feed' | 'counters' | null;
  readonly feed: FeedCursor | null;
  /** Feed ranges the tracker no longer had when the page asked (newest first). */
  readonly gaps: readonly CountGap[];
}

type FeedRead =
  | { readonly kind: 'batch'; readonly batch: CompletionBatch }
  | { readonly kind: 'unsupported'; readonly error: string }
  | { readonly kind: 'failed'; readonly error: string };

/**
 * One poll of the tracker into the store. The tpbs dump always gives seeders and leechers. Counts come
 * from the completion feed (exactly once: each page and the cursor after it are stored in one
 * transaction) or, for a tracker without the feed (opentracker), from its counters with restart
 * detection through its uptime. Never throws.
 */
export class CountSync {
  private lastMode: 'feed' | 'counters' | null = null;
  private feedSeen = false;

  constructor(
    private readonly opts: CountSyncOptions,
    private readonly poller: StatsPoller,
    private readonly store: StatsStore,
    private readonly get: CappedGet,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {}

  health(): CountHealth {
    return { source: this.opts.source, mode: this.lastMode, feed: this.store.feedCursor(), gaps: this.store.gaps(5) };
  }

  async poll(): Promise<SyncOutcome> {
    const requestedAt = this.now();
    // The dump is read BEFORE the feed: whatever its counters hold is then at or below the feed's end,
    // which the gap reconciliation relies on.
    const dump = await this.poller.poll();
    const dumpAt = this.now();
    let mode: 'feed' | 'counters';
    let first: FeedRead | null = null;
    if (this.opts.source === 'counters') {
      mode = 'counters';
    } else {
      first = await this.readFeed(this.store.feedCursor());
      if (first.kind === 'batch') {
        mode = 'feed';
      } else if (first.kind === 'unsupported' && this.opts.source === 'auto') {
        if (this.feedSeen)
          this.log.warn({ err: first.error }, 'the tracker no longer offers the completion feed; counting from its counters');
        mode = 'counters';
      } else {
        if (!dump.ok) return dump;
        // Feed expected but unreadable: keep the peers fresh, count nothing until it is back.
        this.store.recordPoll(dump.entries, dumpAt, { countFromCounters: false });
        this.noteFeedError(first.error);
        return { ok: false, error: `completion feed: ${first.error}` };
      }
    }
    if (mode === 'counters') {
      if (!dump.ok) return dump;
      const clock = await this.readClock();
      const sum = dump.entries.reduce((s, e) => s + e.downloaded, 0);
      const epoch = counterEpoch(this.store.countersClock(), clock, sum);
      if (epoch === 'fresh' || epoch === 'restored')
        this.log.warn({ epoch, uptime: clock?.uptimeSeconds }, 'tracker restarted since the last poll');
      const rec = this.store.recordPoll(dump.entries, dumpAt, { countFromCounters: true, epoch, clock, requestedAt });
      this.noteDropped(rec.dropped);
      this.lastMode = 'counters';
      return { ok: true, mode, newDownloads: rec.newDownloads, torrents: dump.entries.length };
    }
    this.feedSeen = true;
    this.feedErrors = 0;
    this.lastFeedError = '';
    const fed = await this.consumeFeed(first as { kind: 'batch'; batch: CompletionBatch }, dump.ok ? dump.entries : null, dumpAt);
    if (dump.ok) this.noteDropped(this.store.recordPoll(dump.entries, dumpAt, { countFromCounters: false }).dropped);
    this.lastMode = 'feed';
    if (!fed.ok) return fed;
    if (!dump.ok) return dump;
    return { ok: true, mode, newDownloads: fed.counted, torrents: dump.entries.length };
  }

  /** The tracker's id, uptime and completions since start: `mode=everything`, else `mode=completed`. */
  private async readClock(): Promise<ClockReading | null> {
    const small = { ...this.opts.limits, maxWireBytes: 64 * 1024, maxBodyBytes: 256 * 1024 };
    const all = await this.get(everythingModeUrl(this.opts.statsUrl), small);
    const e = all.ok && all.status === 200 ? parseEverythingMode(all.body.toString('latin1')) : null;
    if (e !== null) return { at: this.now(), ...e };
    const res = await this.get(completedModeUrl(this.opts.statsUrl), small);
    if (!res.ok || res.status !== 200) return null;
    const c = parseCompletedMode(res.body.toString('latin1'));
    return c === null ? null : { at: this.now(), ...c };
  }

  private async readFeed(cursor: FeedCursor | null, sinceOverride?: number): Promise<FeedRead> {
    const since = sinceOverride ?? cursor?.cursor ?? 0;
    const res = await this.get(feedUrl(this.opts.statsUrl, since, this.opts.feedPage), this.opts.limits);
    if (!res.ok) return { kind: 'failed', error: res.error };
    // opentracker answers an unknown mode with 400; an old tracker of ours the same.
    if (res.status >= 400 && res.status < 500) return { kind: 'unsupported', error: `HTTP ${res.status}` };
    if (res.status !== 200) return { kind: 'failed', error: `HTTP ${res.status}` };
    const text = res.body.toString('utf8');
    if (!/^\s*\{/.test(text)) return { kind: 'unsupported', error: 'not JSON' };
    const p = parseCompletionFeed(text, since);
    return p.ok ? { kind: 'batch', batch: p.batch } : { kind: 'failed', error: p.error };
  }

  /**
   * Reads pages until caught up (or maxFeedPages), each page stored with its cursor in one transaction.
   * A lost range is logged, recorded, and made up from the tracker's counters in `dump`.
   */
  private async consumeFeed(
    firstRead: { batch: CompletionBatch },
    dump: readonly TxtpEntry[] | null,
    dumpAt: number,
  ): Promise<{ ok: true; counted: number } | { ok: false; error: string }> {
    let batch = firstRead.batch;
    let counted = 0;
    const gaps: CountGap[] = [];
    // Feed entries counted after the dump was read, per hash: the dump's counters do not hold them.
    const afterDump = new Map<string, number>();
    for (let page = 0; page < this.opts.maxFeedPages; page++) {
      const cursor = this.store.feedCursor();
      const start = await this.startOfPage(cursor, batch, gaps);
      if (!start.ok) return start;
      batch = start.batch;
      const since = start.since;
      const end = batch.entries.length > 0 ? batch.entries[batch.entries.length - 1]!.seq : Math.max(since, batch.first - 1);
      const next: FeedCursor = { journal: batch.journal, cursor: end };
      if (next.cursor !== since || cursor?.journal !== batch.journal) {
        const r = this.store.applyCompletions(cursor, next, batch.entries, this.now());
        counted += r.counted;
        this.noteDropped(r.dropped);
        for (const e of batch.entries) if (e.at > dumpAt) afterDump.set(e.infoHash, (afterDump.get(e.infoHash) ?? 0) + 1);
      }
      if (end >= batch.last) break;
      const more = await this.readFeed(next);
      if (more.kind !== 'batch') return { ok: false, error: `completion feed: ${more.error}` };
      batch = more.batch;
    }
    if (gaps.length > 0) this.reconcileGaps(dump, gaps, afterDump);
    return { ok: true, counted };
  }

  /**
   * Where a page must continue from (`since`). A new journal (the tracker lost its state) is noted as a gap and
   * read again from its beginning; entries gone from the journal are noted as a gap; anything else that does not
   * continue from `since` is an error.
   */
  private async startOfPage(
    cursor: FeedCursor | null,
    batch: CompletionBatch,
    gaps: CountGap[],
  ): Promise<{ ok: true; batch: CompletionBatch; since: number } | { ok: false; error: string }> {
    let since = cursor?.cursor ?? 0;
    if (cursor !== null && cursor.journal !== batch.journal) {
      this.log.error(
        { old: cursor, journal: batch.journal },
        'tracker started a new completion journal; completions after the old cursor may be lost',
      );
      gaps.push({
        at: this.now(),
        journal: cursor.journal,
        fromSeq: cursor.cursor + 1,
        toSeq: -1,
        reason: `tracker started journal ${batch.journal}`,
      });
      if (since !== 0) {
        const again = await this.readFeed(cursor, 0);
        if (again.kind !== 'batch') return { ok: false, error: `completion feed: ${again.error}` };
        batch = again.batch;
        since = 0;
      }
    }
    const error = this.checkContinuity(batch, since, gaps);
    return error === null ? { ok: true, batch, since } : { ok: false, error };
  }

  /** Null when `batch` continues from `since` (a range lost from the journal is logged and noted in `gaps`). */
  private checkContinuity(batch: CompletionBatch, since: number, gaps: CountGap[]): string | null {
    const firstSeq = batch.entries.length > 0 ? batch.entries[0]!.seq : null;
    if (batch.first > since + 1) {
      const lostTo = batch.first - 1;
      this.log.error(
        { journal: batch.journal, from: since + 1, to: lostTo },
        'completion feed entries no longer available; making them up from the tracker counters',
      );
      gaps.push({ at: this.now(), journal: batch.journal, fromSeq: since + 1, toSeq: lostTo, reason: 'entries no longer in the journal' });
      if (firstSeq !== null && firstSeq !== batch.first) return `completion feed starts at ${firstSeq}, not at first ${batch.first}`;
      return null;
    }
    if (firstSeq === null && batch.last > since) return `completion feed returned no entries after ${since} but last is ${batch.last}`;
    if (firstSeq !== null && firstSeq !== since + 1) return `completion feed skipped from ${since} to ${firstSeq}`;
    return null;
  }

  /** The dump's counters plus what the feed brought after it: what the tracker knows of each hash. */
  private reconcileGaps(dump: readonly TxtpEntry[] | null, gaps: CountGap[], afterDump: ReadonlyMap<string, number>): void {
    const known = dump === null ? [] : dump.map((e) => ({ ...e, downloaded: e.downloaded + (afterDump.get(e.infoHash) ?? 0) }));
    const added = this.store.reconcileWithCounters(known, gaps, this.now());
    this.log.warn({ added, gaps }, 'totals reconciled with the tracker counters after a feed gap');
  }

  private feedErrors = 0;
  private lastFeedError = '';
  /** Logs a feed failure when it starts or changes, then every 60 polls: a long outage must not flood the log. */
  private noteFeedError(error: string): void {
    if (error !== this.lastFeedError || this.feedErrors % 60 === 0) {
      this.log.error({ err: error, failedPolls: this.feedErrors + 1 }, 'completion feed unreadable; downloads are counted when it is back');
    }
    this.lastFeedError = error;
    this.feedErrors++;
  }

  private droppedLogged = 0;
  private noteDropped(n: number): void {
    if (n > 0 && this.droppedLogged++ % 100 === 0)
      this.log.warn({ dropped: n }, 'counts for hashes outside the catalog dropped: the cap on unknown hashes is reached');
  }
}
