import { open, readFile, stat, unlink } from 'node:fs/promises';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A cross-process lock beside a file: `<file>.lock`, created with O_CREAT|O_EXCL (atomic on local filesystems and
 * NFSv3+), holding "<pid> <hostname>". Any tool can take the same lock from a shell:
 * `(set -C; echo "$$ $(hostname)" > whitelist.lock)`, edit, `rm whitelist.lock`.
 *
 * A lock is stale, and broken, when its holder on this host is dead, or it is older than `staleMs` (a crashed
 * holder on another host, or an unreadable lock). Holders keep it for milliseconds, so a long wait means trouble.
 */
export interface FileLockOptions {
  /** Give up after this long (the caller retries later). */
  readonly timeoutMs?: number;
  readonly staleMs?: number;
  readonly pollMs?: number;
}

export class LockedError extends Error {
  readonly code = 'ELOCKED';
  override name = 'LockedError';
}

const DEFAULTS = { timeoutMs: 5000, staleMs: 10 * 60_000, pollMs: 25 };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** Whether a lock file may be broken. Pure but for the liveness probe, passed in. */
export function isStale(content: string, ageMs: number, host: string, staleMs: number, isAlive: (pid: number) => boolean): boolean {
  if (ageMs > staleMs) return true;
  const m = /^(\d{1,10}) (\S+)\s*$/.exec(content);
  if (!m) return ageMs > 30_000; // being written right now, or garbage left behind
  if (m[2] !== host) return false;
  const pid = Number(m[1]);
  return !(pid > 0 && isAlive(pid));
}

/** Takes the lock, runs `fn`, releases the lock (only if it is still ours). */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const { timeoutMs, staleMs, pollMs } = { ...DEFAULTS, ...options };
  const host = os.hostname();
  const mine = `${process.pid} ${host}\n`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fh = await open(lockPath, 'wx', 0o644);
      try {
        await fh.writeFile(mine);
      } finally {
        await fh.close();
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let content = '';
    let ageMs = 0;
    try {
      content = await readFile(lockPath, 'utf8');
      ageMs = Date.now() - (await stat(lockPath)).mtimeMs;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
      throw err;
    }
    // Two waiters may both see a stale lock: the second unlink may remove the first one's fresh lock. Re-reading
    // just before the unlink makes that window tiny; a holder whose lock vanished still only edits with a change check.
    if (isStale(content, ageMs, host, staleMs, alive) && (await readFile(lockPath, 'utf8').catch(() => null)) === content) {
      await unlink(lockPath).catch(() => undefined);
      continue;
    }
    if (Date.now() >= deadline)
      throw new LockedError(
        `${lockPath} is held by ${JSON.stringify(content.trim())} for ${Math.round(ageMs / 1000)} s; remove it if no one is editing`,
      );
    await sleep(pollMs);
  }
  try {
    return await fn();
  } finally {
    if ((await readFile(lockPath, 'utf8').catch(() => null)) === mine) await unlink(lockPath).catch(() => undefined);
  }
}
