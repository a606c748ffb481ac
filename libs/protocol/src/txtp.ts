/**
 * opentracker's `/stats?mode=tpbs&format=txtp` dump: one line per torrent in memory,
 * `<40 hex>:<seeders>:<leechers>:<downloaded>\n`. Both sides live here: the tracker writes it
 * (formatTxtpLine), the download site reads it (parseTxtp). The hash is written in UPPERCASE, as
 * opentracker does, and read back lowercase. `downloaded` is opentracker's in-memory completion counter.
 */
import { binToHex, type BinKey } from './bin-key.js';

/** One txtp line for a torrent (hash upper case, as opentracker prints it). */
export function formatTxtpLine(infoHash: BinKey, seeders: number, leechers: number, downloaded: number): string {
  return `${binToHex(infoHash).toUpperCase()}:${seeders}:${leechers}:${downloaded}\n`;
}

export interface TxtpEntry {
  readonly infoHash: string;
  readonly seeders: number;
  readonly leechers: number;
  readonly downloaded: number;
}

export interface TxtpLineError {
  /** 1-based line number in the body. */
  readonly line: number;
  readonly reason: string;
  /** The offending line, cut to 80 characters so a garbage body cannot flood the log. */
  readonly text: string;
}

export interface TxtpParseResult {
  readonly entries: readonly TxtpEntry[];
  readonly errors: readonly TxtpLineError[];
}

const LINE = /^([0-9a-fA-F]{40}):(\d{1,16}):(\d{1,16}):(\d{1,16})$/;

function count(s: string): number | null {
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/** Parses a txtp body. Bad lines are skipped and reported; a repeated hash keeps its first line. */
export function parseTxtp(text: string): TxtpParseResult {
  const entries: TxtpEntry[] = [];
  const errors: TxtpLineError[] = [];
  const seen = new Set<string>();
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    const report = (reason: string): void => {
      errors.push({ line: i + 1, reason, text: line.slice(0, 80) });
    };
    const m = LINE.exec(line);
    if (!m) return report('expected HEX40:seeders:leechers:downloaded');
    const [seeders, leechers, downloaded] = [count(m[2]!), count(m[3]!), count(m[4]!)];
    if (seeders === null || leechers === null || downloaded === null) return report('count out of range');
    const infoHash = m[1]!.toLowerCase();
    if (seen.has(infoHash)) return report('repeated info hash');
    seen.add(infoHash);
    entries.push({ infoHash, seeders, leechers, downloaded });
  });
  return { entries, errors };
}
