import { readFile, realpath } from 'node:fs/promises';
import { addToAccessList, removeFromAccessList } from '../../../libs/accesslist/src/append.js';
import { removeStaleTemps, writeFileAtomic } from '../../../libs/common/src/atomic-write.js';
import { withFileLock, type FileLockOptions } from './file-lock.js';

type Op = { readonly op: 'add'; readonly comment: string } | { readonly op: 'remove' };

/** The file changed between our read and our rename: read it again and re-apply the edits on top. */
class ChangedMeanwhile extends Error {
  readonly code = 'ECHANGED';
}

/** Re-reads and re-applies at most this many times when someone else keeps editing the list. */
const MAX_ATTEMPTS = 5;

export interface WhitelistFileOptions {
  readonly lock?: FileLockOptions;
  /** Test seam: runs between our read and our write, where another editor's save would land. */
  readonly afterRead?: () => Promise<void>;
}

async function readOrNull(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * The tracker's access list as the publisher edits it. Changes are queued and applied together by flush():
 * under a lock beside the file (other publishers and scripts that take it wait), one read, the pure edits from
 * libs/accesslist, one atomic write (temp + rename, mode kept, a symlinked list written through). Just before the
 * rename the file is read again: if an editor that does not take the lock saved meanwhile, its version is used and
 * the edits are re-applied to it, so a manual edit is never overwritten. A failed write keeps the queue.
 */
export class WhitelistFile {
  private readonly pending = new Map<string, Op>();

  constructor(
    readonly file: string,
    private readonly options: WhitelistFileOptions = {},
  ) {}

  add(infoHash: string, releaseName: string): void {
    this.pending.set(infoHash, { op: 'add', comment: `# ${releaseName}` });
  }

  remove(infoHash: string): void {
    this.pending.set(infoHash, { op: 'remove' });
  }

  hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** Whether an edit of this hash still waits to be written. */
  isPending(infoHash: string): boolean {
    return this.pending.has(infoHash);
  }

  /** Applies the queue. Returns the hashes whose presence actually changed (empty: nothing to signal). */
  async flush(dryRun: boolean): Promise<{ added: string[]; removed: string[] }> {
    if (this.pending.size === 0) return { added: [], removed: [] };
    const batch = [...this.pending];
    // The lock sits beside the real file, so every path to a symlinked list shares it.
    const target = await realpath(this.file).catch(() => this.file);
    const apply = async (): Promise<{ added: string[]; removed: string[] }> => {
      for (let attempt = 1; ; attempt++) {
        const before = await readOrNull(target);
        await this.options.afterRead?.();
        let text = before ?? '';
        const added: string[] = [];
        const removed: string[] = [];
        for (const [hash, op] of batch) {
          const next = op.op === 'add' ? addToAccessList(text, hash, op.comment) : removeFromAccessList(text, hash);
          if (next !== text) (op.op === 'add' ? added : removed).push(hash);
          text = next;
        }
        if (dryRun || (added.length === 0 && removed.length === 0)) return { added, removed };
        try {
          await writeFileAtomic(target, text, 0o644, {
            beforeRename: async () => {
              if ((await readOrNull(target)) !== before) throw new ChangedMeanwhile(`${target} changed while it was being edited`);
            },
          });
          return { added, removed };
        } catch (err) {
          if (!(err instanceof ChangedMeanwhile) || attempt >= MAX_ATTEMPTS) throw err;
        }
      }
    };
    // A publisher killed between its temp file and the rename left that file beside the list, for ever; under the
    // lock no writer that takes it is half-way through a write, so every such file is stale.
    const locked = async (): Promise<{ added: string[]; removed: string[] }> => {
      removeStaleTemps(target);
      return apply();
    };
    const result = dryRun ? await apply() : await withFileLock(`${target}.lock`, locked, this.options.lock);
    // Only what was applied leaves the queue: an op queued during the write stays for the next flush.
    for (const [hash, op] of batch) if (this.pending.get(hash) === op) this.pending.delete(hash);
    return result;
  }
}
