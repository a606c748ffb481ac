import { readFile } from 'node:fs/promises';
import { addToAccessList, removeFromAccessList } from '../../../libs/accesslist/src/append.js';
import { writeFileAtomic } from '../../../libs/common/src/atomic-write.js';

type Op = { readonly op: 'add'; readonly comment: string } | { readonly op: 'remove' };

/**
 * The tracker's access list as the publisher edits it. Changes are queued and applied together by flush():
 * one read, the pure edits from libs/accesslist, one atomic write (temp + rename, mode kept). A failed write
 * (read-only file or folder, full disk) keeps the queue, so the next flush retries it.
 */
export class WhitelistFile {
  private readonly pending = new Map<string, Op>();

  constructor(readonly file: string) {}

  add(infoHash: string, releaseName: string): void {
    this.pending.set(infoHash, { op: 'add', comment: `# ${releaseName}` });
  }

  remove(infoHash: string): void {
    this.pending.set(infoHash, { op: 'remove' });
  }

  hasPending(): boolean {
    return this.pending.size > 0;
  }

  /** Applies the queue. Returns the hashes whose presence actually changed (empty: nothing to signal). */
  async flush(dryRun: boolean): Promise<{ added: string[]; removed: string[] }> {
    if (this.pending.size === 0) return { added: [], removed: [] };
    let text = '';
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const added: string[] = [];
    const removed: string[] = [];
    const batch = [...this.pending];
    for (const [hash, op] of batch) {
      const next = op.op === 'add' ? addToAccessList(text, hash, op.comment) : removeFromAccessList(text, hash);
      if (next !== text) (op.op === 'add' ? added : removed).push(hash);
      text = next;
    }
    if (!dryRun && (added.length > 0 || removed.length > 0)) await writeFileAtomic(this.file, text);
    // Only what was applied leaves the queue: an op queued during the write stays for the next flush.
    for (const [hash, op] of batch) if (this.pending.get(hash) === op) this.pending.delete(hash);
    return { added, removed };
  }
}
