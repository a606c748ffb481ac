import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { accumulate, type ClockReading, type CounterEpoch } from './accumulate.js';
import { utcDay } from './format.js';
import type { CompletionEntry } from './parse-completions.js';
import type { TxtpEntry } from '../../../libs/protocol/src/txtp.js';

/** Per-hash state: the reset-safe total plus the latest tracker sample. Times are epoch ms. */
export interface HashStats {
  readonly infoHash: string;
  readonly firstSeen: number;
  readonly lastSeen: number;
  /** BitTorrent downloads (from the tracker); never decreases. */
  readonly total: number;
  /** Complete direct downloads from /files/; never decreases. */
  readonly direct: number;
  readonly lastRaw: number;
  readonly seeders: number;
  readonly leechers: number;
}

export interface DailyRow {
  readonly infoHash: string;
  readonly date: string;
  /** BitTorrent plus direct. */
  readonly downloads: number;
  readonly downloadsBitTorrent: number;
  readonly downloadsDirect: number;
}

export interface HistoryRow {
  readonly date: string;
  readonly downloads: number;
  readonly downloadsBitTorrent: number;
  readonly downloadsDirect: number;
}

export interface PollRecord {
  readonly newDownloads: number;
  readonly samples: number;
  /** Hashes left out because the cap on hashes outside the catalog was reached. */
  readonly dropped: number;
}

export interface PollOptions {
  /** false when the counts come from the completion feed: only peers and the raw counter are stored. */
  readonly countFromCounters?: boolean;
  /** What happened to the tracker since the last poll (counters mode). */
  readonly epoch?: CounterEpoch;
  /** The tracker's clock for the next poll's restart check (counters mode). */
  readonly clock?: ClockReading | null;
  /** When the dump was requested: completions counted by the tracker before this are in it. */
  readonly requestedAt?: number;
}

/** Where the page is in the tracker's completion journal. */
export interface FeedCursor {
  readonly journal: string;
  readonly cursor: number;
}

export interface FeedApply {
  readonly counted: number;
  /** Entries already in the totals from the tracker's counters (before the page used the feed). */
  readonly skipped: number;
  readonly dropped: number;
}

/** Entries the tracker no longer had when the page asked for them. */
export interface CountGap {
  readonly at: number;
  readonly journal: string;
  readonly fromSeq: number;
  readonly toSeq: number;
  readonly reason: string;
}

export interface StoreLimits {
  /** Hashes outside the catalog that may get a row (an open tracker full of junk must not grow the file). */
  readonly maxUnknownHashes: number;
}

/**
 * Schema migrations, applied in order; PRAGMA user_version holds how many ran.
 * Append only: never edit a shipped step.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE hashes (
     info_hash  TEXT PRIMARY KEY,
     first_seen INTEGER NOT NULL,
     last_seen  INTEGER NOT NULL,
     last_raw   INTEGER NOT NULL,
     total      INTEGER NOT NULL,
     seeders    INTEGER NOT NULL,
     leechers   INTEGER NOT NULL
   ) STRICT;
   CREATE TABLE samples (
     info_hash  TEXT NOT NULL,
     at         INTEGER NOT NULL,
     seeders    INTEGER NOT NULL,
     leechers   INTEGER NOT NULL,
     downloaded INTEGER NOT NULL,
     PRIMARY KEY (info_hash, at)
   ) STRICT, WITHOUT ROWID;
   CREATE TABLE daily (
     info_hash  TEXT NOT NULL,
     day        TEXT NOT NULL,
     downloads  INTEGER NOT NULL,
     PRIMARY KEY (info_hash, day)
   ) STRICT, WITHOUT ROWID;
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;`,
  // Direct downloads beside the BitTorrent ones (total, daily.downloads keep their meaning), the
  // completion-feed cursor (meta), lost feed ranges. Totals so far came from counter deltas up to the last
  // successful poll: feed entries up to that time are already in them (meta counters_until).
  `ALTER TABLE hashes ADD COLUMN direct INTEGER NOT NULL DEFAULT 0;
   ALTER TABLE daily ADD COLUMN direct INTEGER NOT NULL DEFAULT 0;
   CREATE TABLE count_gaps (
     at        INTEGER NOT NULL,
     journal   TEXT NOT NULL,
     from_seq  INTEGER NOT NULL,
     to_seq    INTEGER NOT NULL,
     reason    TEXT NOT NULL
   ) STRICT;
   INSERT INTO meta SELECT 'counters_until', value FROM meta WHERE key = 'last_success_at';`,
];

interface HashRow {
  info_hash: string;
  first_seen: number;
  last_seen: number;
  last_raw: number;
  total: number;
  seeders: number;
  leechers: number;
  direct: number;
}

function toStats(r: HashRow): HashStats {
  return {
    infoHash: r.info_hash,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    total: r.total,
    direct: r.direct,
    lastRaw: r.last_raw,
    seeders: r.seeders,
    leechers: r.leechers,
  };
}

/** SQLite storage of samples, never-decreasing totals and downloads per UTC day. Synchronous, one connection. */
export class StatsStore {
  private readonly db: Database.Database;
  private known: ReadonlySet<string> = new Set();

  constructor(
    file: string,
    private readonly limits: StoreLimits = { maxUnknownHashes: 1000 },
  ) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // FULL: a count acknowledged to the tracker's feed (the cursor moved) must survive a power loss too.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 2000');
    // The whole suite shares 128 MB: keep the page cache small (negative = KiB).
    this.db.pragma('cache_size = -2000');
    this.migrate();
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(`stats database schema version ${version} is newer than this program (${MIGRATIONS.length})`);
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  /** The catalog's hashes: they always get a row; others only up to limits.maxUnknownHashes. */
  setCatalog(hashes: ReadonlySet<string>): void {
    this.known = hashes;
  }

  /** A row for `h` (inserted when allowed), or null when the cap on unknown hashes says no. */
  private rowFor(h: string, now: number, state: { rows: number }): HashRow | null {
    const row = this.db.prepare<[string], HashRow>('SELECT * FROM hashes WHERE info_hash = ?').get(h);
    if (row) return row;
    if (!this.known.has(h) && state.rows >= this.known.size + this.limits.maxUnknownHashes) return null;
    this.db
      .prepare(
        'INSERT INTO hashes (info_hash, first_seen, last_seen, last_raw, total, seeders, leechers, direct) VALUES (?, ?, ?, 0, 0, 0, 0, 0)',
      )
      .run(h, now, now);
    state.rows++;
    return { info_hash: h, first_seen: now, last_seen: now, last_raw: 0, total: 0, seeders: 0, leechers: 0, direct: 0 };
  }

  private rowCount(): { rows: number } {
    return { rows: (this.db.prepare('SELECT count(*) AS n FROM hashes').get() as { n: number }).n };
  }

  private addDaily(h: string, day: string, bt: number, direct: number): void {
    this.db
      .prepare(`INSERT INTO daily (info_hash, day, downloads, direct) VALUES (?, ?, ?, ?)
      ON CONFLICT (info_hash, day) DO UPDATE SET downloads = downloads + excluded.downloads, direct = direct + excluded.direct`)
      .run(h, day, bt, direct);
  }

  private getMeta(key: string): string | null {
    return this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get(key)?.value ?? null;
  }

  private setMeta(key: string, value: string): void {
    this.db.prepare('INSERT OR REPLACE INTO meta VALUES (?, ?)').run(key, value);
  }

  /**
   * Records one successful tpbs poll in one transaction: peers and the raw counter always; with
   * countFromCounters (the default) also the counter's increase as downloads. Hashes missing from the
   * dump keep their totals but have no peers any more.
   */
  recordPoll(entries: readonly TxtpEntry[], now: number, opts: PollOptions = {}): PollRecord {
    const counting = opts.countFromCounters ?? true;
    const epoch = opts.epoch ?? 'unknown';
    const day = utcDay(now);
    const update = this.db.prepare(
      'UPDATE hashes SET last_seen=@now, last_raw=@raw, total=@total, seeders=@s, leechers=@l WHERE info_hash=@h',
    );
    const sample = this.db.prepare('INSERT OR REPLACE INTO samples VALUES (?, ?, ?, ?, ?)');
    const gone = this.db.prepare<[], HashRow>('SELECT * FROM hashes WHERE seeders > 0 OR leechers > 0');
    const zero = this.db.prepare('UPDATE hashes SET seeders = 0, leechers = 0 WHERE info_hash = ?');
    return this.db.transaction((): PollRecord => {
      let newDownloads = 0;
      let samples = 0;
      let dropped = 0;
      const present = new Set<string>();
      const state = this.rowCount();
      for (const e of entries) {
        present.add(e.infoHash);
        const fresh = this.db.prepare<[string], HashRow>('SELECT * FROM hashes WHERE info_hash = ?').get(e.infoHash);
        const row = fresh ?? this.rowFor(e.infoHash, now, state);
        if (row === null) {
          dropped++;
          continue;
        }
        let total = row.total;
        if (counting) {
          const acc = accumulate(fresh ? { last: row.last_raw, total: row.total } : undefined, e.downloaded, epoch);
          total = acc.total;
          if (acc.delta > 0) this.addDaily(e.infoHash, day, acc.delta, 0);
          newDownloads += acc.delta;
        }
        update.run({ h: e.infoHash, now, raw: e.downloaded, total, s: e.seeders, l: e.leechers });
        // Samples only on change: a quiet release costs nothing per poll.
        if (!fresh || row.seeders !== e.seeders || row.leechers !== e.leechers || row.last_raw !== e.downloaded) {
          sample.run(e.infoHash, now, e.seeders, e.leechers, e.downloaded);
          samples++;
        }
      }
      for (const row of gone.all()) {
        if (present.has(row.info_hash)) continue;
        zero.run(row.info_hash);
        sample.run(row.info_hash, now, 0, 0, row.last_raw);
        samples++;
      }
      if (counting && epoch === 'fresh') {
        // The restarted tracker starts every torrent it has not listed yet from zero too.
        const reset = this.db.prepare('UPDATE hashes SET last_raw = 0 WHERE info_hash = ?');
        for (const row of this.db.prepare<[], { info_hash: string }>('SELECT info_hash FROM hashes WHERE last_raw > 0').all()) {
          if (!present.has(row.info_hash)) reset.run(row.info_hash);
        }
      }
      if (counting) {
        this.setMeta('counters_until', String(opts.requestedAt ?? now));
        if (opts.clock !== undefined) this.setMeta('counters_clock', JSON.stringify(opts.clock));
      }
      this.setMeta('last_success_at', String(now));
      return { newDownloads, samples, dropped };
    })();
  }

  /** The tracker clock stored by the last counters poll (survives a page restart). */
  countersClock(): ClockReading | null {
    const raw = this.getMeta('counters_clock');
    if (raw === null) return null;
    try {
      const v = JSON.parse(raw) as ClockReading | null;
      const idOk = v?.trackerId === undefined || v.trackerId === null || typeof v.trackerId === 'string';
      return v && idOk && Number.isFinite(v.at) && Number.isFinite(v.uptimeSeconds) && Number.isFinite(v.completedSinceStart) ? v : null;
    } catch {
      return null;
    }
  }

  feedCursor(): FeedCursor | null {
    const journal = this.getMeta('feed_journal');
    const cursor = Number(this.getMeta('feed_cursor'));
    return journal === null || !Number.isSafeInteger(cursor) ? null : { journal, cursor };
  }

  /**
   * Adds one page of the completion feed and moves the cursor to `toSeq` in ONE transaction, so a crash
   * at any point leaves either both or neither: no entry is counted twice or skipped. `expect` is the
   * cursor the page was read from; if the stored one differs, nothing is written (a stale page).
   * Entries at or before counters_until are already in the totals (counted from the counters).
   */
  applyCompletions(expect: FeedCursor | null, next: FeedCursor, entries: readonly CompletionEntry[], now: number): FeedApply {
    return this.db.transaction((): FeedApply => {
      const cur = this.feedCursor();
      if ((cur === null) !== (expect === null) || (cur && expect && (cur.journal !== expect.journal || cur.cursor !== expect.cursor))) {
        throw new Error('feed cursor moved under us');
      }
      const countersUntil = Number(this.getMeta('counters_until') ?? '-1');
      const add = this.db.prepare('UPDATE hashes SET total = total + ?, last_seen = max(last_seen, ?) WHERE info_hash = ?');
      const state = this.rowCount();
      let counted = 0;
      let skipped = 0;
      let dropped = 0;
      for (const e of entries) {
        if (e.at <= countersUntil) {
          skipped++;
          continue;
        }
        if (this.rowFor(e.infoHash, now, state) === null) {
          dropped++;
          continue;
        }
        add.run(1, now, e.infoHash);
        this.addDaily(e.infoHash, utcDay(e.at), 1, 0);
        counted++;
      }
      this.setMeta('feed_journal', next.journal);
      this.setMeta('feed_cursor', String(next.cursor));
      this.setMeta('last_success_at', String(now));
      return { counted, skipped, dropped };
    })();
  }

  /**
   * After feed entries were lost (compacted away, or a new journal), raises each total to the tracker's
   * own counter when that is higher, so totals never go down and recover what the counters still know.
   * `entries` must have been read BEFORE the feed caught up, so none of what they hold is still to come
   * through the feed.
   */
  reconcileWithCounters(entries: readonly TxtpEntry[], gaps: readonly CountGap[], now: number): number {
    const day = utcDay(now);
    return this.db.transaction((): number => {
      let added = 0;
      const raise = this.db.prepare('UPDATE hashes SET total = ? WHERE info_hash = ?');
      const state = this.rowCount();
      for (const e of entries) {
        const row = this.rowFor(e.infoHash, now, state);
        if (row === null || e.downloaded <= row.total) continue;
        raise.run(e.downloaded, e.infoHash);
        this.addDaily(e.infoHash, day, e.downloaded - row.total, 0);
        added += e.downloaded - row.total;
      }
      const insert = this.db.prepare('INSERT INTO count_gaps VALUES (?, ?, ?, ?, ?)');
      for (const gap of gaps)
        insert.run(gap.at, gap.journal, gap.fromSeq, gap.toSeq, `${gap.reason}; ${added} recovered from the tracker's counters`);
      return added;
    })();
  }

  /** Lost feed ranges, newest first. */
  gaps(limit = 20): CountGap[] {
    return this.db
      .prepare<[number], { at: number; journal: string; from_seq: number; to_seq: number; reason: string }>(
        'SELECT * FROM count_gaps ORDER BY at DESC LIMIT ?',
      )
      .all(limit)
      .map((r) => ({ at: r.at, journal: r.journal, fromSeq: r.from_seq, toSeq: r.to_seq, reason: r.reason }));
  }

  /** One complete direct download of a catalog release. */
  recordDirect(infoHash: string, at: number): boolean {
    return this.db.transaction((): boolean => {
      const row = this.rowFor(infoHash, at, this.rowCount());
      if (row === null) return false;
      this.db.prepare('UPDATE hashes SET direct = direct + 1 WHERE info_hash = ?').run(infoHash);
      this.addDaily(infoHash, utcDay(at), 0, 1);
      return true;
    })();
  }

  allHashes(): HashStats[] {
    return this.db.prepare<[], HashRow>('SELECT * FROM hashes').all().map(toStats);
  }

  hash(infoHash: string): HashStats | undefined {
    const r = this.db.prepare<[string], HashRow>('SELECT * FROM hashes WHERE info_hash = ?').get(infoHash);
    return r ? toStats(r) : undefined;
  }

  /** Downloads per day from `fromDay` on (inclusive), every hash. */
  dailySince(fromDay: string): DailyRow[] {
    return this.db
      .prepare<[string], { info_hash: string; day: string; downloads: number; direct: number }>(
        'SELECT info_hash, day, downloads, direct FROM daily WHERE day >= ? ORDER BY day',
      )
      .all(fromDay)
      .map((r) => ({
        infoHash: r.info_hash,
        date: r.day,
        downloads: r.downloads + r.direct,
        downloadsBitTorrent: r.downloads,
        downloadsDirect: r.direct,
      }));
  }

  /** A hash's whole history, oldest day first; only days with downloads. */
  history(infoHash: string): HistoryRow[] {
    return this.db
      .prepare<[string], { day: string; downloads: number; direct: number }>(
        'SELECT day, downloads, direct FROM daily WHERE info_hash = ? ORDER BY day',
      )
      .all(infoHash)
      .map((r) => ({ date: r.day, downloads: r.downloads + r.direct, downloadsBitTorrent: r.downloads, downloadsDirect: r.direct }));
  }

  lastSuccessAt(): number | null {
    const v = this.getMeta('last_success_at');
    return v === null ? null : Number(v);
  }

  close(): void {
    this.db.close();
  }
}
