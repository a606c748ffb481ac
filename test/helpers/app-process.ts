import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import path from 'node:path';
import { reapAtExit } from './child-reaper.js';
import { collectOutput } from './process-output.js';

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

export function runApp(
  file: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdio?: StdioOptions } = {},
): AppProcess {
  const env = { ...process.env, ...opts.env };
  delete env['LOG_FORMAT'];
  for (const [k, v] of Object.entries(opts.env ?? {})) if (v === undefined) delete env[k];
  const child = spawn(file, args, { cwd: opts.cwd, env, stdio: opts.stdio ?? ['ignore', 'pipe', 'pipe'] });
  reapAtExit(child);
  const out = collectOutput(child, path.basename(file));
  return {
    child,
    pid: child.pid!,
    lines: out.lines,
    stderr: out.stderr,
    exited: out.exited,
    alive: () => out.exitCode() === null,
    waitLine: (pred, timeoutMs = 15_000) => out.waitForLog(pred, timeoutMs),
  };
}

/** Resolves with the exit code, or rejects when the process is still running after timeoutMs. */
export async function exitWithin(app: AppProcess, timeoutMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_r, reject) => {
    timer = setTimeout(
      () =>
        reject(new Error(`still running ${timeoutMs} ms later\nstdout:\n${app.lines().slice(-10).join('\n')}\nstderr:\n${app.stderr()}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([app.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
