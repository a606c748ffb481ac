import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { Logger } from '../../../libs/common/src/log.js';

export interface TrackerSignalOptions {
  readonly pidFile: string;
  readonly reloadCommand: string | null;
  readonly coalesceMs: number;
  readonly timeoutMs: number;
  readonly log: Logger;
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

async function sighup(pidFile: string, log: Logger): Promise<void> {
  let text: string;
  try {
    text = await readFile(pidFile, 'utf8');
  } catch (err) {
    log.warn({ pidFile, code: (err as NodeJS.ErrnoException).code }, NOT_RUNNING);
    return;
  }
  const pid = parsePid(text);
  if (pid === null) {
    log.warn({ pidFile }, `pid file holds no valid pid; ${NOT_RUNNING}`);
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
      .then(() => (opts.reloadCommand === null ? sighup(opts.pidFile, opts.log) : runCommand(opts.reloadCommand, opts.timeoutMs, opts.log)))
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
