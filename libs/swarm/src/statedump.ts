/**
 * opentracker's statedump format, one torrent per line: `<40 HEX>:<base minute>:<downloaded>\n`.
 * The base is minutes since the epoch of the torrent's last activity. Keeping opentracker's format lets a
 * state file move between this tracker and opentracker (`-l`, `/stats?mode=statedump`) in both directions.
 */
export interface StateRow {
  /** 40 lowercase hex digits. */
  readonly hex: string;
  readonly baseMinute: number;
  readonly downloaded: number;
}

export interface ParsedState {
  readonly rows: StateRow[];
  readonly bad: Array<{ line: number; text: string }>;
  /**
   * Which completion journal the counts include, and up to which seq: entries after it are replayed on top.
   * null for a file without the line (an opentracker statedump, or one written before the journal existed).
   */
  readonly journal: { readonly id: string; readonly seq: number } | null;
}

const LINE = /^([0-9a-fA-F]{40}):(\d{1,15}):(\d{1,15})$/;
/** A comment line to opentracker, so the file still loads there with `-l`. */
const JOURNAL_LINE = /^# journal ([0-9a-f]{16,32}) (\d{1,15})$/;
const MAX_BAD_REPORTED = 1000;

export function formatStateJournalLine(id: string, seq: number): string {
  return `# journal ${id} ${seq}\n`;
}

export function formatStateRow(hex: string, baseMinute: number, downloaded: number): string {
  return `${hex.toUpperCase()}:${baseMinute}:${downloaded}\n`;
}

export function parseState(text: string): ParsedState {
  const rows: StateRow[] = [];
  const bad: Array<{ line: number; text: string }> = [];
  let journal: { id: string; seq: number } | null = null;
  let pos = 0;
  let lineNo = 0;
  while (pos <= text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl < 0) nl = text.length;
    let line = text.slice(pos, nl);
    pos = nl + 1;
    lineNo++;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (line === '') continue;
    if (line.startsWith('#')) {
      const j = JOURNAL_LINE.exec(line);
      if (j !== null && journal === null) journal = { id: j[1]!, seq: Number(j[2]) };
      continue;
    }
    const m = LINE.exec(line);
    if (m === null) {
      if (bad.length < MAX_BAD_REPORTED) bad.push({ line: lineNo, text: line.slice(0, 80) });
      continue;
    }
    rows.push({ hex: m[1]!.toLowerCase(), baseMinute: Number(m[2]), downloaded: Number(m[3]) });
  }
  return { rows, bad, journal };
}
