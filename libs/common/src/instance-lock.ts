import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/**
 * One process per state file. The lock is a Linux abstract-namespace unix socket whose name is derived
 * from the real path of the file: binding it is atomic, only one process can hold it, and the kernel
 * releases it when the holder dies in any way (kill -9 included), so there is no stale lock to clean up.
 * The holder answers every connection with its pid, which lets a second instance name it.
 *
 * Keyed on the file each app writes (tracker: state file, publisher: manifest, stats: database), not on the
 * whole data folder, so separate services may share one folder; the suite takes all three.
 * Limits: abstract sockets are per network namespace (two containers sharing a folder do not see each
 * other), and any local user could bind the name first (the app then refuses to start, naming that pid).
 */
export interface InstanceLock {
  readonly file: string;
  release(): Promise<void>;
}

export class InstanceLockError extends Error {
  override name = 'InstanceLockError';
  constructor(
    message: string,
    readonly otherPid: number | null,
  ) {
    super(message);
  }
}

const PID_REPLY_TIMEOUT_MS = 1000;

/** The real path of the file (its folder is created if missing; the file itself may not exist yet). */
export function lockKey(file: string): string {
  const abs = path.resolve(file);
  const dir = path.dirname(abs);
  fs.mkdirSync(dir, { recursive: true });
  let real = path.join(fs.realpathSync(dir), path.basename(abs));
  try {
    real = fs.realpathSync(real);
  } catch {
    // not created yet: the folder's real path is enough
  }
  return real;
}

export function lockSocketName(key: string): string {
  return `\0release-tracker-suite/${crypto.createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

function askPid(name: string): Promise<number | null> {
  return new Promise((resolve) => {
    let text = '';
    const socket = net.connect({ path: name });
    const done = (pid: number | null): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(pid);
    };
    const timer = setTimeout(() => done(null), PID_REPLY_TIMEOUT_MS);
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      text += d;
      if (text.length > 32) done(null);
    });
    socket.on('end', () => done(/^\d{1,10}\n$/.test(text) ? Number(text.trim()) : null));
    socket.on('error', () => done(null));
  });
}

/**
 * Takes the lock for `file` for the life of the process (or until release()). Throws InstanceLockError
 * naming the holder's pid when another process has it. `role` only words the message.
 */
export async function acquireInstanceLock(file: string, role: string): Promise<InstanceLock> {
  const key = lockKey(file);
  if (process.platform !== 'linux') return { file: key, release: async () => {} };
  const name = lockSocketName(key);
  const server = net.createServer((conn) => {
    conn.on('error', () => {});
    conn.end(`${process.pid}\n`);
  });
  server.maxConnections = 16;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ path: name }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    const pid = await askPid(name);
    const who = pid === null ? 'another process (its pid did not answer)' : `another process (pid ${pid})`;
    throw new InstanceLockError(
      `${who} is already running a ${role} on ${key}; stop it first, or give this one other files or another data folder`,
      pid,
    );
  }
  server.on('error', () => {});
  // the lock must not keep a finished process (publisher --once) alive
  server.unref();
  return {
    file: key,
    release: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
