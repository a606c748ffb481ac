import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

/**
 * Writes `data` to `file` so readers see either the old or the new content, never a part: a temp file in the
 * same folder (same filesystem, so rename is atomic), fsync, rename. On any error (ENOSPC, EACCES…) the temp
 * file is removed and the error rethrown; the target is untouched. The target's mode is kept if it exists.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, defaultMode = 0o644): Promise<void> {
  let mode = defaultMode;
  try {
    mode = (await stat(file)).mode & 0o7777;
  } catch {
    // new file: default mode
  }
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  let ok = false;
  try {
    const fh = await open(tmp, 'wx', mode);
    try {
      await fh.writeFile(data);
      await fh.chmod(mode); // open() applies the umask; the original mode must survive
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
    ok = true;
  } finally {
    if (!ok) await unlink(tmp).catch(() => undefined);
  }
}
