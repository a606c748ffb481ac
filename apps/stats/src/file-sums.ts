import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import type { Logger } from '../../../libs/common/src/log.js';
import { writeFileAtomic } from '../../../libs/common/src/atomic-write.js';
import { resolveReleaseFile } from './release-files.js';

/**
 * SHA-256 of the files of folder releases (the publisher's manifest records one only for single-file
 * releases). Computed in the background, one file at a time, when a page first asks; kept per
 * (size, mtime, inode) so a replaced file is hashed again; saved to a small JSON file so a restart does
 * not read every release again.
 */

interface Entry {
  readonly stamp: string;
  readonly sha256: string;
}

const MAX_ENTRIES = 100_000;
const MAX_QUEUE = 10_000;
const SAVE_DELAY_MS = 2_000;

function stampOf(st: { size: number; mtimeMs: number; ino: number }): string {
  return `${st.size}:${st.mtimeMs}:${st.ino}`;
}

/** Validates the saved cache; anything odd is dropped (it is only a cache). */
export function parseSumsCache(text: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return out;
  }
  if (typeof json !== 'object' || json === null) return out;
  const { version, files } = json as { version?: unknown; files?: unknown };
  if (version !== 1 || typeof files !== 'object' || files === null || Array.isArray(files)) return out;
  for (const [rel, v] of Object.entries(files as Record<string, unknown>)) {
    if (out.size >= MAX_ENTRIES) break;
    const e = v as Partial<Entry> | null;
    if (typeof e?.stamp === 'string' && typeof e.sha256 === 'string' && /^[0-9a-f]{64}$/.test(e.sha256))
      out.set(rel, { stamp: e.stamp, sha256: e.sha256 });
  }
  return out;
}

export class FileSums {
  private readonly sums = new Map<string, Entry>();
  private readonly queue = new Set<string>();
  private running: Promise<void> | null = null;
  private saveTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private loaded: Promise<void> | null = null;

  /** `cachePath` null keeps the sums in memory only. */
  constructor(
    private readonly releasesDir: string,
    private readonly cachePath: string | null,
    private readonly log: Logger,
  ) {}

  private load(): Promise<void> {
    this.loaded ??= (async () => {
      if (this.cachePath === null) return;
      try {
        for (const [k, v] of parseSumsCache(await fs.readFile(this.cachePath, 'utf8'))) this.sums.set(k, v);
      } catch {
        // no cache yet
      }
    })();
    return this.loaded;
  }

  /**
   * The known SHA-256 of each file ('/'-separated paths relative to the releases folder) that has not
   * changed since it was hashed; the others are queued and appear on a later call.
   */
  async lookup(relPaths: readonly string[]): Promise<Map<string, string>> {
    await this.load();
    const out = new Map<string, string>();
    let root: string;
    try {
      root = await fs.realpath(this.releasesDir);
    } catch {
      return out;
    }
    for (const rel of relPaths) {
      const file = await resolveReleaseFile(root, rel.split('/'));
      if (file === null) continue;
      let stamp: string;
      try {
        stamp = stampOf(await fs.stat(file));
      } catch {
        continue;
      }
      const known = this.sums.get(rel);
      if (known?.stamp === stamp) out.set(rel, known.sha256);
      else if (this.queue.size < MAX_QUEUE && !this.closed) this.queue.add(rel);
    }
    if (this.queue.size > 0)
      this.running ??= this.pump().finally(() => {
        this.running = null;
      });
    return out;
  }

  /** Waits until every queued file is hashed (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async pump(): Promise<void> {
    for (const rel of this.queue) {
      this.queue.delete(rel);
      if (this.closed) return;
      try {
        const root = await fs.realpath(this.releasesDir);
        const file = await resolveReleaseFile(root, rel.split('/'));
        if (file === null) continue;
        const before = stampOf(await fs.stat(file));
        const hash = createHash('sha256');
        for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
          hash.update(chunk as Buffer);
          if (this.closed) return;
        }
        // a file rewritten while we read it gets hashed again on the next lookup
        if (stampOf(await fs.stat(file)) !== before) continue;
        if (!this.sums.has(rel) && this.sums.size >= MAX_ENTRIES) this.sums.delete(this.sums.keys().next().value!);
        this.sums.set(rel, { stamp: before, sha256: hash.digest('hex') });
        this.scheduleSave();
      } catch (e) {
        this.log.warn({ file: rel, err: (e as Error).message }, 'could not compute the SHA-256 of a release file');
      }
    }
  }

  private scheduleSave(): void {
    if (this.cachePath === null || this.saveTimer !== undefined) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.save();
    }, SAVE_DELAY_MS);
    this.saveTimer.unref();
  }

  private async save(): Promise<void> {
    if (this.cachePath === null) return;
    try {
      await writeFileAtomic(this.cachePath, `${JSON.stringify({ version: 1, files: Object.fromEntries(this.sums) })}\n`);
    } catch (e) {
      this.log.warn({ path: this.cachePath, err: (e as Error).message }, 'could not save the SHA-256 cache');
    }
  }

  /** Stops hashing (the file in progress is dropped) and saves what is known. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.clear();
    await this.idle();
    if (this.saveTimer !== undefined) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
      await this.save();
    }
  }
}
