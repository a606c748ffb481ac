import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { reapAtExit } from './child-reaper.js';

/**
 * Runs ./bin/tracker as a real process on ports chosen by the kernel and reads its pino lines from stdout.
 * Every child is remembered so a failing test cannot leave a tracker behind: tests call cleanup() in an
 * after hook, and an exit hook kills whatever is still alive as a last resort.
 */

/** dist/test/helpers/tracker-process.js -> repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const TRACKER_BIN = path.join(REPO_ROOT, 'bin', 'tracker');

export interface LogLine {
  readonly [key: string]: unknown;
  readonly msg?: string;
}

export interface Listener {
  readonly proto: 'tcp' | 'udp';
  readonly address: string;
  readonly port: number;
}

export interface TrackerProcessOptions {
  /** Hex info hashes written one per line (ignored when whitelistText is given). */
  readonly whitelist?: readonly string[];
  /** Raw whitelist file content, for hostile lines. */
  readonly whitelistText?: string;
  /** Extra arguments after the default ones. */
  readonly args?: readonly string[];
  /** The access-list flag the list file is passed with: -w (default) or -b (blacklist mode). */
  readonly listFlag?: '-w' | '-b';
  /** Replace the default `-i 127.0.0.1 -p 0 -P 0` binds (e.g. when a -f conf binds). */
  readonly binds?: readonly string[];
  /** Directory for whitelist, state and pid files; a fresh temp dir (removed by cleanup) by default. */
  readonly dir?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** How many `listening` lines to wait for; by default one per -p/-P in the arguments. */
  readonly expectListeners?: number;
  readonly startTimeoutMs?: number;
}

export interface TrackerProcess {
  readonly httpPort: number;
  readonly udpPort: number;
  readonly listeners: readonly Listener[];
  readonly pid: number;
  readonly dir: string;
  readonly whitelistPath: string;
  readonly statePath: string;
  readonly pidPath: string;
  readonly args: readonly string[];
  readonly child: ChildProcess;
  /** Raw stdout lines so far. */
  logs(): string[];
  /** stdout lines that parsed as JSON. */
  records(): LogLine[];
  stderr(): string;
  /** Resolves with the first record (already seen or future) that matches; rejects after timeoutMs. */
  waitForLog(pred: (rec: LogLine) => boolean, timeoutMs?: number, fromIndex?: number): Promise<LogLine>;
  alive(): boolean;
  /** Sends the signal and resolves with the exit code (128+n style codes become -signal numbers). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number>;
  signal(signal: NodeJS.Signals): void;
  /**
   * SIGHUP, then wait for the reload's outcome: the `loaded N, ignored M` record, or the warning that the
   * file was not readable (the old list stays).
   */
  sighup(timeoutMs?: number): Promise<LogLine>;
  kill9(): Promise<void>;
  /** kill -9 if still running, then remove the temp dir when we made it. Safe to call twice. */
  cleanup(): Promise<void>;
}

export function writeWhitelist(file: string, hashes: readonly string[]): void {
  fs.writeFileSync(file, hashes.map((h) => h + '\n').join(''));
}

function countFlag(args: readonly string[], flag: string): number {
  return args.filter((a) => a === flag).length;
}

export async function startTrackerProcess(opts: TrackerProcessOptions = {}): Promise<TrackerProcess> {
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-it-'));
  const whitelistPath = path.join(dir, 'whitelist');
  const statePath = path.join(dir, 'state.txt');
  const pidPath = path.join(dir, 'tracker.pid');
  if (opts.whitelistText !== undefined) fs.writeFileSync(whitelistPath, opts.whitelistText);
  else if (opts.whitelist !== undefined || !fs.existsSync(whitelistPath)) writeWhitelist(whitelistPath, opts.whitelist ?? []);

  const binds = opts.binds ?? ['-i', '127.0.0.1', '-p', '0', '-P', '0'];
  const args = [...binds, opts.listFlag ?? '-w', whitelistPath, '--pid-file', pidPath, '--state-file', statePath, ...(opts.args ?? [])];
  const expect = opts.expectListeners ?? countFlag(args, '-p') + countFlag(args, '-P');

  const child = spawn(TRACKER_BIN, args, { cwd: dir, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  reapAtExit(child);
  let exitCode: number | null = null;
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, sig) => {
      exitCode = code ?? (sig !== null ? -(os.constants.signals[sig] ?? 1) : -1);
      resolve(exitCode);
    });
  });

  const lines: string[] = [];
  const recs: LogLine[] = [];
  let stderrText = '';
  const waiters = new Set<() => void>();
  let partial = '';
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    partial += chunk;
    let nl;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      lines.push(line);
      try {
        recs.push(JSON.parse(line) as LogLine);
      } catch {
        // not JSON: kept in logs() only
      }
    }
    for (const w of [...waiters]) w();
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderrText += chunk;
  });

  function waitForLog(pred: (rec: LogLine) => boolean, timeoutMs = 5000, fromIndex = 0): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      let checked = fromIndex;
      const check = (): boolean => {
        for (; checked < recs.length; checked++) {
          const r = recs[checked]!;
          if (pred(r)) {
            done();
            resolve(r);
            return true;
          }
        }
        return false;
      };
      const onExit = (): void => {
        if (check()) return;
        done();
        reject(new Error(`tracker exited (code ${String(exitCode)}) before the expected log line\nstdout:\n${lines.join('\n')}\nstderr:\n${stderrText}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no matching log line within ${timeoutMs} ms\nstdout:\n${lines.slice(-30).join('\n')}\nstderr:\n${stderrText}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(waiter);
        child.off('exit', onExit);
      };
      const waiter = (): void => {
        check();
      };
      if (check()) return;
      waiters.add(waiter);
      child.once('exit', onExit);
    });
  }

  const listeners: Listener[] = [];
  const startTimeout = opts.startTimeoutMs ?? 15000;
  try {
    let seen = 0;
    while (seen < expect) {
      const rec = await waitForLog((r) => r.msg === 'listening', startTimeout, 0 + indexAfter(recs, seen));
      listeners.push({ proto: rec['proto'] as 'tcp' | 'udp', address: String(rec['address']), port: Number(rec['port']) });
      seen++;
    }
  } catch (err) {
    if (exitCode === null) child.kill('SIGKILL');
    await exited;
    if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const tcp = listeners.find((l) => l.proto === 'tcp');
  const udp = listeners.find((l) => l.proto === 'udp');
  const handle: TrackerProcess = {
    httpPort: tcp?.port ?? 0,
    udpPort: udp?.port ?? 0,
    listeners,
    pid: child.pid!,
    dir,
    whitelistPath,
    statePath,
    pidPath,
    args,
    child,
    logs: () => [...lines],
    records: () => [...recs],
    stderr: () => stderrText,
    waitForLog,
    alive: () => exitCode === null,
    signal(sig) {
      if (exitCode === null) child.kill(sig);
    },
    async sighup(timeoutMs = 5000) {
      const from = recs.length;
      child.kill('SIGHUP');
      return waitForLog((r) => typeof r['loaded'] === 'number' || /not readable/.test(String(r.msg)), timeoutMs, from);
    },
    async stop(sig: NodeJS.Signals = 'SIGTERM', timeoutMs = 10000) {
      if (exitCode !== null) return exitCode;
      child.kill(sig);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    async kill9() {
      if (exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    async cleanup() {
      await handle.kill9();
      if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return handle;
}

/** Index just past the n-th `listening` record, so each wait finds the next one. */
function indexAfter(recs: readonly LogLine[], n: number): number {
  if (n === 0) return 0;
  let seen = 0;
  for (let i = 0; i < recs.length; i++) {
    if (recs[i]!.msg === 'listening' && ++seen === n) return i + 1;
  }
  return recs.length;
}

/** A temp dir removed by the returned function (for files the test makes next to the tracker's). */
export function makeTempDir(prefix = 'tracker-it-'): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
