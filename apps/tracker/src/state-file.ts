import fs from 'node:fs';
import path from 'node:path';
import { parseState, formatStateRow, type ParsedState } from '../../../libs/swarm/src/index.js';
import type { Tracker } from './tracker.js';

/**
 * Download counts on disk, in opentracker's statedump format (so `-l` and `/stats?mode=statedump` files
 * move both ways). Written whole to a temp file, fsynced, then renamed over the old one: a crash leaves
 * either the previous file or the new one, never half of one.
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

export function renderState(tracker: Tracker): string {
  let out = '';
  for (const [key, t] of tracker.store.torrents) {
    if (t.downloaded > 0) out += formatStateRow(Buffer.from(key, 'latin1').toString('hex'), t.touched, t.downloaded);
  }
  return out;
}

export function writeStateFile(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o644);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
