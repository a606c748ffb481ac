import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomicSync } from '../../../libs/common/src/atomic-write.js';
import { binToHex } from '../../../libs/protocol/src/index.js';
import { parseState, formatStateJournalLine, formatStateRow, type ParsedState } from '../../../libs/swarm/src/index.js';
import type { Tracker } from './tracker.js';

/**
 * Download counts on disk, in opentracker's statedump format (so `-l` and `/stats?mode=statedump` files
 * move both ways), plus one comment line naming the completion journal and the last seq the counts include:
 * at start only later journal entries are added on top. Written whole through writeFileAtomicSync: a crash
 * leaves either the previous file or the new one, never half of one.
 */
export function readStateFile(file: string): ParsedState | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return parseState(text);
}

export function renderState(tracker: Tracker, journal: { id: string; seq: number } | null): string {
  let out = journal === null ? '' : formatStateJournalLine(journal.id, journal.seq);
  for (const [key, t] of tracker.store.torrents) {
    if (t.downloaded > 0) out += formatStateRow(binToHex(key), t.touched, t.downloaded);
  }
  return out;
}

export function writeStateFile(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomicSync(file, text);
}

/**
 * Temp files of an atomic write cut short by a kill (`.name.<12 hex>.tmp`, see atomic-write.ts): a kill -9 in
 * the middle of a state or journal rewrite leaves one behind, and nothing else would ever remove it. Only this
 * process writes these files (one tracker per data folder), so at start any such file is stale.
 */
export function removeStaleTemps(file: string): number {
  const dir = path.dirname(file);
  const prefix = `.${path.basename(file)}.`;
  let removed = 0;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.startsWith(prefix) || !/^\.[^/]*\.[0-9a-f]{12}\.tmp$/.test(name)) continue;
    if (name.length !== prefix.length + 16) continue;
    try {
      fs.unlinkSync(path.join(dir, name));
      removed++;
    } catch {
      // gone already, or not ours to remove
    }
  }
  return removed;
}

/** The journal sits next to the state file: `tracker.state` -> `tracker.journal`, anything else + `.journal`. */
export function defaultJournalFile(stateFile: string): string {
  return stateFile.endsWith('.state') ? `${stateFile.slice(0, -'.state'.length)}.journal` : `${stateFile}.journal`;
}
