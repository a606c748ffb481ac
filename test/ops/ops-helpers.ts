import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reapAtExit } from '../helpers/child-reaper.js';
import { REPO_ROOT } from '../helpers/tracker-process.js';

/** A real app process (bin/tracker, bin/suite...) with its output collected and its exit awaited. */
export interface AppProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  lines(): string[];
  stderr(): string;
  /** Resolves with the first stdout line (JSON parsed) for which pred is true. */
  waitLine(pred: (rec: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Exit code, or -signal number. */
  readonly exited: Promise<number>;
  alive(): boolean;
}

export function bin(name: string): string {
  return path.join(REPO_ROOT, 'bin', name);
}

export function runApp(file: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdio?: StdioOptions } = {}): AppProcess {
  const env = { ...process.env, ...opts.env };
  delete env['LOG_FORMAT'];
  for (const [k, v] of Object.entries(opts.env ?? {})) if (v === undefined) delete env[k];
  const child = spawn(file, args, { cwd: opts.cwd, env, stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'] });
  reapAtExit(child);
  let code: number | null = null;
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (c, sig) => {
      code = c ?? -(os.constants.signals[sig ?? 'SIGKILL'] ?? 1);
      resolve(code);
    });
  });
  const out: string[] = [];
  const recs: Array<Record<string, unknown>> = [];
  let err = '';
  let partial = '';
  const waiters = new Set<() => void>();
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (d: string) => {
    partial += d;
    let nl;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      out.push(line);
      try {
        recs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not JSON
      }
    }
    for (const w of [...waiters]) w();
  });
  child.stdout?.on('error', () => {});
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => { err += d; });
  return {
    child,
    pid: child.pid!,
    lines: () => [...out],
    stderr: () => err,
    exited,
    alive: () => code === null,
    waitLine(pred, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const r = recs.find(pred);
          if (r === undefined) return false;
          cleanup();
          resolve(r);
          return true;
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching line within ${timeoutMs} ms\nstdout:\n${out.slice(-20).join('\n')}\nstderr:\n${err}`));
        }, timeoutMs);
        const onExit = (): void => {
          if (check()) return;
          cleanup();
          reject(new Error(`exited (${String(code)}) before the expected line\nstdout:\n${out.slice(-20).join('\n')}\nstderr:\n${err}`));
        };
        const cleanup = (): void => {
          clearTimeout(timer);
          waiters.delete(waiter);
          child.off('exit', onExit);
        };
        const waiter = (): void => { check(); };
        if (check()) return;
        waiters.add(waiter);
        child.once('exit', onExit);
      });
    },
  };
}

/** Resolves with the exit code, or rejects when the process is still running after timeoutMs. */
export async function exitWithin(app: AppProcess, timeoutMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => {
    timer = setTimeout(() => reject(new Error(`still running ${timeoutMs} ms later\nstdout:\n${app.lines().slice(-10).join('\n')}\nstderr:\n${app.stderr()}`)), timeoutMs);
  });
  try {
    return await Promise.race([app.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function tempDir(prefix = 'ops-it-'): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
