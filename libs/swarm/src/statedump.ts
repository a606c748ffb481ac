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
}

const LINE = /^([0-9a-fA-F]{40}):(\d{1,15}):(\d{1,15})$/;

export function formatStateRow(hex: string, baseMinute: number, downloaded: number): string {
  return `${hex.toUpperCase()}:${baseMinute}:${downloaded}\n`;
}

export function parseState(text: string): ParsedState {
  const rows: StateRow[] = [];
  const bad: Array<{ line: number; text: string }> = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (m === null) {
      bad.push({ line: i + 1, text: line.slice(0, 80) });
      continue;
    }
    rows.push({ hex: m[1]!.toLowerCase(), baseMinute: Number(m[2]), downloaded: Number(m[3]) });
  }
  return { rows, bad };
}
