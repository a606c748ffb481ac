/**
 * The completion journal's text format: one header line, then one line per counted completion.
 *
 *   # completion-journal <id> <base>\n      id: 16-32 lowercase hex; base: the seq just before this file's first entry
 *   <seq> <timeMs> <40 lowercase hex info_hash>\n
 *
 * Appended line by line, so after a crash the last line may be torn (no newline): it is reported, not parsed,
 * and the writer truncates it away before appending again. A line that does not parse is skipped and reported;
 * entries whose seq does not go up are skipped too, so a damaged file never applies a completion twice.
 * Pure: text in, data out; never throws.
 */
export interface JournalEntry {
  readonly seq: number;
  readonly timeMs: number;
  /** 40 lowercase hex digits. */
  readonly hex: string;
}

export interface ParsedJournal {
  /** null when the header is missing or unreadable. */
  readonly id: string | null;
  readonly base: number;
  readonly entries: JournalEntry[];
  /** Lines skipped, 1-based, with the start of their text (bounded list). */
  readonly bad: Array<{ line: number; text: string }>;
  readonly badCount: number;
  /** Entries accepted in the whole file (entries holds only the last `keep`). */
  readonly count: number;
  /** Bytes up to the end of the last complete line: anything after it is a torn append. */
  readonly validBytes: number;
  /** Length of the torn tail in bytes (0 when the file ends with a newline). */
  readonly tornBytes: number;
}

const HEADER = /^# completion-journal ([0-9a-f]{16,32}) (\d{1,15})$/;
const ENTRY = /^(\d{1,15}) (\d{1,15}) ([0-9a-f]{40})$/;
const MAX_BAD_REPORTED = 20;

export function formatJournalHeader(id: string, base: number): string {
  return `# completion-journal ${id} ${base}\n`;
}

export function formatJournalLine(seq: number, timeMs: number, hex: string): string {
  return `${seq} ${timeMs} ${hex}\n`;
}

export function isJournalId(id: string): boolean {
  return /^[0-9a-f]{16,32}$/.test(id);
}

/**
 * Parses a whole journal. `text` must come from a 'latin1' decoding of the file so that string offsets are
 * byte offsets (validBytes is used to truncate the file). Only the last `keep` entries are returned (the rest
 * are still checked for order), so a long file costs no more memory than the feed keeps; `onEntry` sees every
 * accepted entry, in order (replay at start).
 */
export function parseJournal(text: string, keep = Number.MAX_SAFE_INTEGER, onEntry?: (e: JournalEntry) => void): ParsedJournal {
  let id: string | null = null;
  let base = 0;
  const entries: JournalEntry[] = [];
  const bad: Array<{ line: number; text: string }> = [];
  let badCount = 0;
  let last = 0;
  let count = 0;
  let pos = 0;
  let lineNo = 0;
  const limit = Math.max(1, Math.floor(keep));
  const skip = (line: string): void => {
    badCount++;
    if (bad.length < MAX_BAD_REPORTED) bad.push({ line: lineNo, text: line.slice(0, 80) });
  };
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    if (nl < 0) break;
    const line = text.slice(pos, nl);
    pos = nl + 1;
    lineNo++;
    if (line === '') continue;
    if (lineNo === 1 && line.startsWith('#')) {
      const h = HEADER.exec(line);
      if (h === null) skip(line);
      else {
        id = h[1]!;
        base = Number(h[2]);
        last = base;
      }
      continue;
    }
    const m = ENTRY.exec(line);
    if (m === null) {
      skip(line);
      continue;
    }
    const seq = Number(m[1]);
    if (seq <= last) {
      skip(line);
      continue;
    }
    last = seq;
    count++;
    const e = { seq, timeMs: Number(m[2]), hex: m[3]! };
    entries.push(e);
    onEntry?.(e);
    // drop from the front in chunks so a long file stays linear
    if (entries.length >= 2 * limit) entries.splice(0, entries.length - limit);
  }
  if (entries.length > limit) entries.splice(0, entries.length - limit);
  return { id, base, entries, bad, badCount, count, validBytes: pos, tornBytes: text.length - pos };
}

/** The highest seq a parsed journal covers (its base when it holds no entry). */
export function journalLastSeq(j: ParsedJournal): number {
  return j.entries.length > 0 ? j.entries[j.entries.length - 1]!.seq : j.base;
}
