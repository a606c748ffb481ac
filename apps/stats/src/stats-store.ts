import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { accumulate } from './accumulate.js';
import { utcDay } from './format.js';
import type { TxtpEntry } from './parse-txtp.js';

/** Per-hash state: the reset-safe total plus the latest tracker sample. Times are epoch ms. */
export interface HashStats {
  readonly infoHash: string;
  readonly firstSeen: number;
  readonly lastSeen: number;
  readonly total: number;
  readonly lastRaw: number;
  readonly seeders: number;
  readonly leechers: number;
}

export interface DailyRow {
  readonly infoHash: string;
  readonly date: string;
  readonly downloads: number;
}

export interface PollRecord {
  readonly newDownloads: number;
  readonly samples: number;
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
];

interface HashRow {
  info_hash: string; first_seen: number; last_seen: number; last_raw: number; total: number; seeders: number; leechers: number;
}

function toStats(r: HashRow): HashStats {
  return {
    infoHash: r.info_hash, firstSeen: r.first_seen, lastSeen: r.last_seen, total: r.total,
    lastRaw: r.last_raw, seeders: r.seeders, leechers: r.leechers,
  };
}

/** SQLite storage of samples, reset-safe totals and downloads per UTC day. Synchronous, one connection. */
export class StatsStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
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

  /**
   * Records one successful poll in one transaction. Hashes missing from the dump keep their totals
   * but have no peers any more.
   */
  recordPoll(entries: readonly TxtpEntry[], now: number): PollRecord {
    const day = utcDay(now);
    const get = this.db.prepare<[string], HashRow>('SELECT * FROM hashes WHERE info_hash = ?');
    const insert = this.db.prepare('INSERT INTO hashes VALUES (@h, @now, @now, @raw, @total, @s, @l)');
    const update = this.db.prepare('UPDATE hashes SET last_seen=@now, last_raw=@raw, total=@total, seeders=@s, leechers=@l WHERE info_hash=@h');
    const sample = this.db.prepare('INSERT OR REPLACE INTO samples VALUES (?, ?, ?, ?, ?)');
    const daily = this.db.prepare('INSERT INTO daily VALUES (?, ?, ?) ON CONFLICT (info_hash, day) DO UPDATE SET downloads = downloads + excluded.downloads');
    const gone = this.db.prepare<[], HashRow>('SELECT * FROM hashes WHERE seeders > 0 OR leechers > 0');
    const zero = this.db.prepare('UPDATE hashes SET seeders = 0, leechers = 0 WHERE info_hash = ?');
    const setMeta = this.db.prepare('INSERT OR REPLACE INTO meta VALUES (?, ?)');
    return this.db.transaction((): PollRecord => {
      let newDownloads = 0;
      let samples = 0;
      const present = new Set<string>();
      for (const e of entries) {
        present.add(e.infoHash);
        const row = get.get(e.infoHash);
        const acc = accumulate(row ? { last: row.last_raw, total: row.total } : undefined, e.downloaded);
        const params = { h: e.infoHash, now, raw: acc.last, total: acc.total, s: e.seeders, l: e.leechers };
        if (row) update.run(params);
        else insert.run(params);
        if (acc.delta > 0) daily.run(e.infoHash, day, acc.delta);
        newDownloads += acc.delta;
        // Samples only on change: a quiet release costs nothing per poll.
        if (!row || row.seeders !== e.seeders || row.leechers !== e.leechers || row.last_raw !== e.downloaded) {
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
      setMeta.run('last_success_at', String(now));
      return { newDownloads, samples };
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
    return this.db.prepare<[string], { info_hash: string; day: string; downloads: number }>(
      'SELECT info_hash, day, downloads FROM daily WHERE day >= ? ORDER BY day').all(fromDay)
      .map((r) => ({ infoHash: r.info_hash, date: r.day, downloads: r.downloads }));
  }

  /** A hash's whole history, oldest day first; only days with downloads. */
  history(infoHash: string): { date: string; downloads: number }[] {
    return this.db.prepare<[string], { day: string; downloads: number }>(
      'SELECT day, downloads FROM daily WHERE info_hash = ? ORDER BY day').all(infoHash)
      .map((r) => ({ date: r.day, downloads: r.downloads }));
  }

  lastSuccessAt(): number | null {
    const r = this.db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?').get('last_success_at');
    return r ? Number(r.value) : null;
  }

  close(): void {
    this.db.close();
  }
}
