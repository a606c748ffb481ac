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

/** The journal sits next to the state file: `tracker.state` -> `tracker.journal`, anything else + `.journal`. */
export function defaultJournalFile(stateFile: string): string {
  return stateFile.endsWith('.state') ? `${stateFile.slice(0, -'.state'.length)}.journal` : `${stateFile}.journal`;
}
