import { after } from 'node:test';
import type { TrackerProcess } from './tracker-process.js';

/**
 * The trackers and temp dirs a test file (or the suite it is called in) makes: push them here and an after
 * hook stops every tracker, then removes every dir, whether the tests passed or not.
 */
export interface Leftovers {
  readonly procs: TrackerProcess[];
  readonly dirs: Array<{ remove(): void }>;
}

export function cleanUpAfter(): Leftovers {
  const left: Leftovers = { procs: [], dirs: [] };
  after(async () => {
    for (const p of left.procs) await p.cleanup();
    for (const d of left.dirs) d.remove();
  });
  return left;
}
