/**
 * Privilege drop after the ports are bound (opentracker's `drop_privileges`, without chroot:
 * Node has none). Differences from opentracker: an unknown user is an error instead of uid/gid
 * -2, and a user whose uid is 0 is refused. The user is looked up in /etc/passwd, because the
 * primary gid must come from there and Node has no getpwnam; users that exist only in NSS
 * (LDAP, systemd DynamicUser) are therefore not found.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../../../libs/common/src/log.js';
import { StartupError } from '../../../libs/common/src/startup-error.js';

export interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
  readonly shell: string;
}

const ID = /^\d{1,10}$/;

/** Parses passwd(5) text. Comments, blank, NIS (`+`/`-`) and malformed lines are skipped. */
export function parsePasswd(text: string): PasswdEntry[] {
  const entries: PasswdEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' || line.startsWith('#') || line.startsWith('+') || line.startsWith('-')) continue;
    const f = line.split(':');
    if (f.length !== 7) continue;
    const [name = '', , uid = '', gid = '', , home = '', shell = ''] = f;
    if (name === '' || !ID.test(uid) || !ID.test(gid)) continue;
    const u = Number(uid);
    const g = Number(gid);
    if (u > 0xffffffff || g > 0xffffffff) continue;
    entries.push({ name, uid: u, gid: g, home, shell });
  }
  return entries;
}

/** The first entry for `name` (as getpwnam does), or null. */
export function findPasswdUser(text: string, name: string): PasswdEntry | null {
  return parsePasswd(text).find((e) => e.name === name) ?? null;
}

export interface PrivilegeDeps {
  readPasswd(): string;
}

const SYSTEM: PrivilegeDeps = { readPasswd: () => readFileSync('/etc/passwd', 'utf8') };

/**
 * Switches the process to `user` (supplementary groups, gid, then uid) when running as root, and
 * verifies that root is gone. Not root: logs a warning and returns. Throws on an unknown user, a
 * uid-0 target, or a failed switch; the caller must treat that as fatal.
 */
export function dropPrivileges(user: string, log: Logger, deps: PrivilegeDeps = SYSTEM): void {
  if (typeof process.getuid !== 'function' || typeof process.setuid !== 'function') {
    log.warn({ user }, `-u ${user} ignored: this platform has no setuid`);
    return;
  }
  const uid = process.getuid();
  if (uid !== 0) {
    log.warn({ user, uid }, `-u ${user} ignored: not running as root (uid ${uid})`);
    return;
  }
  const entry = findPasswdUser(deps.readPasswd(), user);
  if (entry === null) {
    throw new Error(
      `cannot drop privileges: user '${user}' not found in /etc/passwd (create it, e.g. 'useradd --system ${user}', or pick another with -u / tracker.user)`,
    );
  }
  if (entry.uid === 0) throw new Error(`cannot drop privileges: user '${user}' has uid 0`);
  // initgroups is real (Node >= 0.9) but missing from @types/node 20.
  (process as NodeJS.Process & { initgroups?: (user: string, extraGroup: number) => void }).initgroups?.(user, entry.gid);
  process.setgid?.(entry.gid);
  process.setuid(entry.uid);
  if (process.getuid() === 0 || process.geteuid?.() === 0) {
    throw new Error(`privilege drop to '${user}' failed: still running as root`);
  }
  log.info({ user, uid: entry.uid, gid: entry.gid }, `dropped privileges to ${user}`);
}

/**
 * Start-up check, run after the privilege drop: the state file is written by a rename in its folder, so
 * the user the tracker now runs as must be able to create files there (and replace the file). Without it
 * every flush fails and every count since the start is lost; better to refuse to start, saying how to fix it.
 */
export function checkStateFolderWritable(stateFile: string, user: string | null): void {
  const dir = dirname(stateFile);
  const who = user === null ? `uid ${process.getuid?.() ?? '?'}` : `user ${user} (uid ${process.getuid?.() ?? '?'})`;
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
    const hint =
      user === null
        ? `make it writable, or pick another with --state-file / tracker.state_file`
        : `chown ${user} ${dir}, or pick another with --state-file / tracker.state_file`;
    throw new StartupError(`the state folder ${dir} is not writable by ${who} (${code}): download counts could not be saved; ${hint}`);
  }
  if (existsSync(stateFile) && statSync(stateFile).isDirectory()) {
    throw new StartupError(`the state file ${stateFile} is a folder; pick a file with --state-file / tracker.state_file`);
  }
}
