import fs from 'node:fs';
import path from 'node:path';
import { whitelistText } from './population.js';
import { startTracker, type TrackerProcess } from './proc.js';

export interface BenchTrackerOptions {
  readonly root: string;
  readonly tmp: string;
  readonly torrents: number;
  readonly serverCpu: number | null;
}

export interface BenchTracker {
  readonly whitelist: string;
  readonly tracker: TrackerProcess;
  /** Stops the tracker (resolves with its exit code) and removes its folder. */
  close(): Promise<number | null>;
}

/** A tracker in a fresh folder under `tmp`, closed on a whitelist of the first `torrents` bench hashes. */
export async function startBenchTracker(o: BenchTrackerOptions, name: string): Promise<BenchTracker> {
  const dir = fs.mkdtempSync(path.join(o.tmp, `${name}-`));
  const removeDir = (): void => fs.rmSync(dir, { recursive: true, force: true });
  const whitelist = path.join(dir, 'whitelist');
  fs.writeFileSync(whitelist, whitelistText(o.torrents));
  let tracker: TrackerProcess;
  try {
    tracker = await startTracker({ root: o.root, whitelist, stateFile: path.join(dir, 'state'), cpu: o.serverCpu });
  } catch (e) {
    removeDir();
    throw e;
  }
  return {
    whitelist,
    tracker,
    async close() {
      try {
        return await tracker.stop();
      } finally {
        removeDir();
      }
    },
  };
}
