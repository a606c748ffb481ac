import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Every file the suite rewrites (state, journal snapshot, manifest, torrents, whitelist) goes through here, so
 * readers see the old content or the new one, never a part of either:
 * temp file in the same folder (same filesystem, so rename(2) is atomic) -> every byte written (short writes on a
 * full disk are looped or fail) -> fsync -> rename -> fsync of the folder (so the rename itself survives a power
 * loss). On any error (ENOSPC, EACCES, EDQUOT…) the temp file is removed and the error rethrown; the target is
 * untouched. The target's mode is kept when it exists. A symlinked target is written through: the link stays a
 * link and its destination gets the new content.
 */
export interface AtomicWriteOptions {
  /**
   * Runs after the temp file is complete and synced, just before the rename: a compare-and-swap check (has the
   * target changed since it was read?). Throwing aborts the write; the temp file is removed, the target untouched.
   */
  readonly beforeRename?: () => Promise<void>;
}

export async function writeFileAtomic(
  file: string,
  data: string | Uint8Array,
  defaultMode = 0o644,
  opts: AtomicWriteOptions = {},
): Promise<void> {
  const target = await resolveTarget(file);
  let mode = defaultMode;
  try {
    mode = (await stat(target)).mode & 0o7777;
  } catch {
    // new file: default mode
  }
  const tmp = tempName(target);
  let ok = false;
  try {
    const fh = await open(tmp, 'wx', mode);
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      let off = 0;
      while (off < bytes.length) {
        const { bytesWritten } = await fh.write(bytes, off, bytes.length - off);
        if (bytesWritten <= 0) throw shortWrite(tmp);
        off += bytesWritten;
      }
      await fh.chmod(mode); // open() applies the umask; the original mode must survive
      await fh.sync();
    } finally {
      await fh.close();
    }
    await opts.beforeRename?.();
    await rename(tmp, target);
    ok = true;
  } finally {
    if (!ok) await unlink(tmp).catch(() => undefined);
  }
  syncDir(path.dirname(target));
}

/** The same, synchronous: for the last flush on the way out, when the event loop may not turn again. */
export function writeFileAtomicSync(file: string, data: string | Uint8Array, defaultMode = 0o644): void {
  const target = resolveTargetSync(file);
  let mode = defaultMode;
  try {
    mode = fs.statSync(target).mode & 0o7777;
  } catch {
    // new file: default mode
  }
  const tmp = tempName(target);
  let ok = false;
  try {
    const fd = fs.openSync(tmp, 'wx', mode);
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      let off = 0;
      while (off < bytes.length) {
        const n = fs.writeSync(fd, bytes, off, bytes.length - off);
        if (n <= 0) throw shortWrite(tmp);
        off += n;
      }
      fs.fchmodSync(fd, mode);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, target);
    ok = true;
  } finally {
    if (!ok) {
      try {
        fs.unlinkSync(tmp);
      } catch {
        // never created, or already gone
      }
    }
  }
  syncDir(path.dirname(target));
}

/** fsync of a folder makes a rename in it durable (ext4, xfs); a filesystem that refuses it is left alone. */
export function syncDir(dir: string): void {
  let fd = -1;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // EISDIR/EINVAL/EPERM on filesystems without directory fsync: the rename is still atomic, just not yet durable
  } finally {
    if (fd >= 0) fs.closeSync(fd);
  }
}

/**
 * Temp files of an atomic write of `file` cut short by a kill (`.name.<12 hex>.tmp`, see tempName): a kill -9 in
 * the middle of a rewrite leaves one behind, and nothing else would ever remove it. Call it only where no other
 * writer of `file` can be half-way through (the tracker at start: one tracker per data folder; the publisher
 * under the whitelist's lock). Returns how many were removed.
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

function tempName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
}

function shortWrite(tmp: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`short write to ${tmp}`);
  err.code = 'ENOSPC';
  return err;
}

async function resolveTarget(file: string): Promise<string> {
  try {
    return await fs.promises.realpath(file);
  } catch {
    return file; // does not exist yet
  }
}

function resolveTargetSync(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}
