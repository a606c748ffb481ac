import fs from 'node:fs';
import { writeFileAtomicSync } from '../../../libs/common/src/atomic-write.js';
import type { Logger } from '../../../libs/common/src/log.js';
import {
  CompletionRing,
  formatJournalHeader,
  formatJournalLine,
  journalLastSeq,
  parseJournal,
  type JournalEntry,
} from '../../../libs/swarm/src/index.js';
import type { CompletionLogStatus } from './tracker.js';

/**
 * The completion journal on disk: every counted completion gets the next seq and is appended as one line
 * (synchronously, so it is in the page cache before the announce is answered: a kill -9 cannot lose it),
 * fsynced about once a second. The state file records the journal id and the seq its counts include, so at
 * start only later entries are replayed, never one twice. The last `keep` entries stay in memory for the
 * completion feed (/stats?mode=completions); the file is rewritten with just those once it holds twice as
 * many, right after a state write that covers every entry, so dropping older lines loses nothing.
 *
 * A failed append (full disk) leaves the completion counted in memory and queued: each later completion and
 * each flush retries, in order, so seqs never have gaps. The feed serves only written entries.
 */
export type JournalIo = Pick<typeof fs, 'openSync' | 'writeSync' | 'ftruncateSync' | 'fstatSync' | 'fsync' | 'fsyncSync' | 'closeSync'>;

export interface JournalStatus extends CompletionLogStatus {
  readonly lastError: string | null;
}

export interface OpenedJournal {
  readonly journal: CompletionJournal;
  /** Completions to add on top of the state file's counts, grouped by info_hash (hex): count and last time. */
  readonly replay: ReadonlyMap<string, { count: number; lastMs: number }>;
  readonly replayed: number;
}

export interface OpenJournalOptions {
  readonly file: string;
  readonly keep: number;
  /** What the state file says it includes; null when it has no journal line (or there is no state file). */
  readonly state: { readonly id: string; readonly seq: number } | null;
  newId(): string;
  now(): number;
  readonly log: Logger;
  readonly io?: JournalIo;
}

const ERROR_LOG_INTERVAL_MS = 60_000;

export function openJournal(o: OpenJournalOptions): OpenedJournal {
  const log = o.log;
  let text: string | null = null;
  try {
    text = fs.readFileSync(o.file, 'latin1');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const replay = new Map<string, { count: number; lastMs: number }>();
  let replayed = 0;
  let id: string;
  let ring: CompletionRing;
  let lines = 0;
  let rewrite = false;
  if (text === null) {
    id = o.state?.id ?? o.newId();
    ring = new CompletionRing(o.keep, o.state?.seq ?? 0);
    if (o.state !== null)
      log.warn(
        { file: o.file, id, seq: o.state.seq },
        "completion journal missing: a new one continues after the state file's seq (the feed has no history before it)",
      );
    rewrite = true;
  } else {
    // which entries the state file's counts do not include yet
    let after = Infinity;
    let headerId: string | null = null;
    const peek = /^# completion-journal ([0-9a-f]{16,32}) /.exec(text.slice(0, 80));
    if (peek !== null) headerId = peek[1]!;
    if (headerId !== null && o.state !== null && o.state.id === headerId) after = o.state.seq;
    else if (o.state === null) after = 0;
    else if (headerId === null) after = o.state.seq;
    else
      log.warn(
        { file: o.file, journal: headerId, state: o.state.id },
        'the state file belongs to another completion journal: its counts are kept and this journal is not replayed',
      );
    const parsed = parseJournal(text, o.keep, (e: JournalEntry) => {
      if (e.seq <= after) return;
      replayed++;
      const r = replay.get(e.hex);
      if (r === undefined) replay.set(e.hex, { count: 1, lastMs: e.timeMs });
      else {
        r.count++;
        r.lastMs = e.timeMs;
      }
    });
    id = parsed.id ?? o.state?.id ?? o.newId();
    if (parsed.id === null) {
      log.warn({ file: o.file, id }, 'completion journal has no readable header: it is rewritten with one');
      rewrite = true;
    }
    const last = Math.max(journalLastSeq(parsed), o.state !== null && o.state.id === id ? o.state.seq : 0);
    ring = new CompletionRing(o.keep, parsed.entries.length > 0 ? parsed.entries[0]!.seq - 1 : last);
    for (const e of parsed.entries) ring.pushHex(e.seq, e.timeMs, e.hex);
    if (ring.last < last) ring = new CompletionRing(o.keep, last);
    lines = parsed.count;
    for (const b of parsed.bad.slice(0, 5)) log.warn({ file: o.file, line: b.line, text: b.text }, 'completion journal line skipped');
    if (parsed.tornBytes > 0) {
      // an append cut short by a crash: it was never acknowledged, so it goes
      log.warn({ file: o.file, bytes: parsed.tornBytes }, 'completion journal ends with a torn line: truncated');
      try {
        fs.truncateSync(o.file, parsed.validBytes);
      } catch (err) {
        log.error({ err, file: o.file }, 'completion journal could not be truncated: it is rewritten');
        rewrite = true;
      }
    }
    if (parsed.validBytes === 0) rewrite = true;
  }
  const journal = new CompletionJournal(o.file, id, ring, lines, log, o.now, o.io ?? fs);
  if (rewrite) journal.rewrite();
  journal.ensureOpen();
  return { journal, replay, replayed };
}

export class CompletionJournal {
  readonly file: string;
  readonly id: string;
  private readonly ring: CompletionRing;
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly io: JournalIo;
  private fd = -1;
  /** Highest seq in the file (page cache). */
  private durable: number;
  /** Known-good length of the file; a failed append is cut back to it. */
  private fileBytes = 0;
  /** Entry lines in the file, to decide when to rewrite it. */
  private lines: number;
  /** A failed append could not be cut back: the next one starts with a newline to end the torn line. */
  private resync = false;
  private dirty = false;
  private syncing = false;
  private writeErrors = 0;
  private syncErrors = 0;
  private dropped = 0;
  private lastError: string | null = null;
  private lastErrorLog = -Infinity;
  private errorsSinceLog = 0;

  constructor(file: string, id: string, ring: CompletionRing, lines: number, log: Logger, now: () => number, io: JournalIo) {
    this.file = file;
    this.id = id;
    this.ring = ring;
    this.durable = ring.last;
    this.lines = lines;
    this.log = log;
    this.now = now;
    this.io = io;
  }

  /** Counts one completion: called synchronously before the announce is answered. */
  record(key: string, timeMs: number): void {
    if (this.ring.last - this.durable >= this.ring.capacity) {
      this.dropped++;
      this.error(new Error('completion journal queue full'), 'completion counted in memory only: the journal queue is full');
      return;
    }
    this.ring.push(key, timeMs);
    this.writePending();
  }

  /** Writes every queued entry; true when none is left. */
  writePending(): boolean {
    if (this.durable === this.ring.last) return true;
    if (!this.ensureOpen()) return false;
    let text = this.resync ? '\n' : '';
    for (let seq = this.durable + 1; seq <= this.ring.last; seq++)
      text += formatJournalLine(seq, this.ring.timeOf(seq), this.ring.hexOf(seq));
    const buf = Buffer.from(text, 'latin1');
    let off = 0;
    try {
      while (off < buf.length) {
        const n = this.io.writeSync(this.fd, buf, off, buf.length - off);
        if (n <= 0) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
        off += n;
      }
    } catch (err) {
      this.writeErrors++;
      if (off > 0) {
        try {
          this.io.ftruncateSync(this.fd, this.fileBytes);
        } catch {
          this.resync = true;
        }
      }
      this.error(err, 'completion journal append failed: completions stay counted in memory and are retried');
      return false;
    }
    if (this.resync) {
      this.resync = false;
      this.fileBytes = this.sizeOrGuess(this.fileBytes + buf.length);
    } else {
      this.fileBytes += buf.length;
    }
    this.lines += this.ring.last - this.durable;
    this.durable = this.ring.last;
    this.dirty = true;
    return true;
  }

  /** Starts an fsync of what was appended since the last one (the 1-second timer). */
  sync(): void {
    if (!this.dirty || this.syncing || this.fd < 0) return;
    this.dirty = false;
    this.syncing = true;
    const fd = this.fd;
    this.io.fsync(fd, (err) => {
      this.syncing = false;
      // closed meanwhile (shutdown): close() synced it itself
      if (err && this.fd === fd) {
        this.syncErrors++;
        this.dirty = true;
        this.error(err, 'completion journal fsync failed');
      }
    });
  }

  /** Last write and fsync on the way out; true when every completion is in the file and synced. */
  close(): boolean {
    let ok = this.writePending();
    if (this.fd >= 0) {
      try {
        this.io.fsyncSync(this.fd);
      } catch (err) {
        ok = false;
        this.syncErrors++;
        this.error(err, 'completion journal fsync failed');
      }
      try {
        this.io.closeSync(this.fd);
      } catch {
        // closing cannot lose data that fsync already wrote
      }
      this.fd = -1;
    }
    return ok;
  }

  /**
   * Called after a state file write that includes every written entry: once the file holds twice the entries
   * the feed keeps, it is replaced by one holding just those (atomically: a crash leaves the old or the new).
   */
  compact(stateSeq: number): void {
    const keep = this.ring.capacity;
    if (this.lines < Math.max(2 * keep, 1000) || stateSeq < this.ring.last || this.durable !== this.ring.last || this.syncing) return;
    this.rewrite();
  }

  /** Replaces the file with the header and the entries held in memory. */
  rewrite(): boolean {
    const first = Math.max(this.ring.first, 1);
    let text = formatJournalHeader(this.id, first - 1);
    for (let seq = first; seq <= this.durable; seq++) text += formatJournalLine(seq, this.ring.timeOf(seq), this.ring.hexOf(seq));
    try {
      writeFileAtomicSync(this.file, Buffer.from(text, 'latin1'));
    } catch (err) {
      this.writeErrors++;
      this.error(err, 'completion journal rewrite failed: the old file stays');
      return false;
    }
    if (this.fd >= 0) {
      try {
        this.io.closeSync(this.fd);
      } catch {
        // the old file is already replaced
      }
      this.fd = -1;
    }
    this.lines = this.durable - first + 1;
    this.resync = false;
    return this.ensureOpen();
  }

  /** Opens the file for appending (again after a rewrite or an error); writes a header into an empty file. */
  ensureOpen(): boolean {
    if (this.fd >= 0) return true;
    try {
      this.fd = this.io.openSync(this.file, 'a', 0o644);
      this.fileBytes = this.io.fstatSync(this.fd).size;
      if (this.fileBytes === 0) {
        const header = Buffer.from(formatJournalHeader(this.id, this.durable), 'latin1');
        const n = this.io.writeSync(this.fd, header);
        if (n !== header.length) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
        this.fileBytes = n;
        this.lines = 0;
      }
      return true;
    } catch (err) {
      if (this.fd >= 0) {
        try {
          this.io.closeSync(this.fd);
        } catch {
          // nothing more to do
        }
      }
      this.fd = -1;
      this.writeErrors++;
      this.error(err, 'completion journal cannot be opened: completions stay counted in memory and are retried');
      return false;
    }
  }

  /** The feed: entries after `since`, ascending, at most `limit`; only entries already in the file. */
  entries(since: number, limit: number): Array<[number, number, string]> {
    return this.ring.since(since, limit, this.durable);
  }

  status(): JournalStatus {
    return {
      id: this.id,
      first: Math.min(this.ring.first, this.durable + 1),
      last: this.durable,
      pending: this.ring.last - this.durable,
      writeErrors: this.writeErrors,
      syncErrors: this.syncErrors,
      dropped: this.dropped,
      lastError: this.lastError,
    };
  }

  /** Everything counted so far is in the file. */
  get settled(): boolean {
    return this.durable === this.ring.last;
  }

  get lastSeq(): number {
    return this.durable;
  }

  private sizeOrGuess(guess: number): number {
    try {
      return this.io.fstatSync(this.fd).size;
    } catch {
      return guess;
    }
  }

  /** Errors are logged at most once a minute, with how many were not logged in between. */
  private error(err: unknown, msg: string): void {
    this.lastError = err instanceof Error ? err.message : String(err);
    this.errorsSinceLog++;
    const now = this.now();
    if (now - this.lastErrorLog < ERROR_LOG_INTERVAL_MS) return;
    this.lastErrorLog = now;
    this.log.error({ err, file: this.file, errors: this.errorsSinceLog, pending: this.ring.last - this.durable }, msg);
    this.errorsSinceLog = 0;
  }
}
