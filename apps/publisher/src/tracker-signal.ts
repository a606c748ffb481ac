import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../../libs/common/src/log.js';
import { readProcess, type ProcessFacts } from '../../../libs/common/src/proc-info.js';

export interface TrackerSignalOptions {
  readonly pidFile: string;
  readonly reloadCommand: string | null;
  readonly coalesceMs: number;
  readonly timeoutMs: number;
  readonly log: Logger;
  /** What /proc says about a pid (tests replace it). */
  readonly inspect?: (pid: number) => ProcessFacts | null;
}

export interface TrackerSignaller {
  /** Asks for a reload; requests within `coalesceMs` of the first one share a single signal. */
  request(): void;
  /** Sends a requested reload now and waits until it is done. */
  flush(): Promise<void>;
  busy(): boolean;
}

const NOT_RUNNING = 'tracker not running; whitelist is up to date and will be read when it starts';

/** Reads a pid file. Only a plain positive pid > 1 counts: kill(0)/kill(-1) would hit whole process groups. */
export function parsePid(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,10}$/.test(t)) return null;
  const pid = Number(t);
  return pid > 1 && pid <= 4194304 ? pid : null;
}

/** A pid file written this long before the process it names started is still taken as its own (clock steps, mtime granularity). */
const START_SLACK_MS = 1000;

/**
 * Whether the process now holding `pid` can be the tracker that wrote the pid file: it must be a Node
 * process, and it must have been running when the file was last written (a process that started later got
 * a recycled pid after the tracker died without removing its file). Returns why not, or null when it is.
 */
export function whyNotOurTracker(pid: number, facts: ProcessFacts | null, pidFileMtimeMs: number): string | null {
  if (facts === null) return `no process ${pid} is running (stale pid file)`;
  const exe = path.basename(facts.cmdline[0] ?? '');
  if (!/^node(js)?\b/.test(exe) && !/^node(js)?$/.test(facts.comm)) {
    return `pid ${pid} is not a tracker but ${JSON.stringify(facts.cmdline.join(' ').slice(0, 120) || facts.comm)} (stale pid file, pid reused)`;
  }
  if (facts.startedAtMs > pidFileMtimeMs + START_SLACK_MS) {
    return `pid ${pid} started after the pid file was written, so it is another process that reused the pid (stale pid file)`;
  }
  return null;
}

async function sighup(pidFile: string, log: Logger, inspect: (pid: number) => ProcessFacts | null): Promise<void> {
  let text: string;
  let mtimeMs: number;
  try {
    const fh = await open(pidFile, 'r');
    try {
      text = await fh.readFile('utf8');
      mtimeMs = (await fh.stat()).mtimeMs;
    } finally {
      await fh.close();
    }
  } catch (err) {
    log.warn({ pidFile, code: (err as NodeJS.ErrnoException).code }, NOT_RUNNING);
    return;
  }
  const pid = parsePid(text);
  if (pid === null) {
    log.warn({ pidFile }, `pid file holds no valid pid; ${NOT_RUNNING}`);
    return;
  }
  // never signal a pid we cannot tie to the tracker: after an unclean exit it may be anybody's now
  const why = whyNotOurTracker(pid, inspect(pid), mtimeMs);
  if (why !== null) {
    log.warn({ pid, pidFile }, `not signalled: ${why}; ${NOT_RUNNING}`);
    return;
  }
  try {
    process.kill(pid, 'SIGHUP');
    log.info({ pid }, 'sent SIGHUP to tracker');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') log.warn({ pid, pidFile }, `stale pid file; ${NOT_RUNNING}`);
    else log.error({ pid, code }, 'could not signal the tracker');
  }
}

function runCommand(command: string, timeoutMs: number, log: Logger): Promise<void> {
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', command], { timeout: timeoutMs, maxBuffer: 64 * 1024 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string; killed?: boolean; signal?: string }) | null;
      const exitCode = e === null ? 0 : typeof e.code === 'number' ? e.code : null;
      const fields = { command, exitCode, ...(e?.signal ? { signal: e.signal } : {}), stderr: stderr.trim().slice(0, 500) || undefined, stdout: stdout.trim().slice(0, 500) || undefined };
      if (e === null) log.info(fields, 'reload command done');
      else if (e.killed) log.error(fields, `reload command timed out after ${timeoutMs} ms`);
      else log.error(fields, 'reload command failed');
      resolve();
    });
  });
}

export function createTrackerSignaller(opts: TrackerSignalOptions): TrackerSignaller {
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> = Promise.resolve();
  let running = 0;
  const send = (): Promise<void> => {
    timer = null;
    running++;
    inFlight = inFlight
      .then(() => (opts.reloadCommand === null ? sighup(opts.pidFile, opts.log, opts.inspect ?? ((pid) => readProcess(pid))) : runCommand(opts.reloadCommand, opts.timeoutMs, opts.log)))
      .finally(() => { running--; });
    return inFlight;
  };
  return {
    request() {
      if (timer === null) timer = setTimeout(() => void send(), opts.coalesceMs);
    },
    async flush() {
      if (timer !== null) {
        clearTimeout(timer);
        await send();
      }
      await inFlight;
    },
    busy: () => timer !== null || running > 0,
  };
}
