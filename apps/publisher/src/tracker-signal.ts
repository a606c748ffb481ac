import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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
  /** A tracker in this process (the suite): its reload is awaited instead of sending a signal. */
  readonly reloadInProcess?: () => Promise<void>;
  /**
   * After a SIGHUP the tracker (process `pid`) reloads on its own time: this asks it which of the hashes it
   * reports (tracker-probe.ts). Absent: the reload cannot be confirmed.
   */
  readonly probe?: (hashes: readonly string[], pid: number) => Promise<ProbeAnswer>;
  /** How long a probe keeps asking (DEFAULTS.confirmTimeoutMs of the publisher). */
  readonly confirmTimeoutMs?: number;
}

/** The hashes of a set the tracker reports (accepts, or still holds from before); null: no usable answer. */
export type ProbeAnswer = ReadonlySet<string> | null;

/**
 * What is known once a reload was asked for: the tracker accepts the hashes, there is no tracker to reload (it
 * reads the list when it starts), or nobody can tell (a failed command, a tracker that does not answer).
 */
export type ReloadOutcome = 'confirmed' | 'not-running' | 'unconfirmed';

export interface TrackerSignaller {
  /**
   * Asks for a reload; requests within `coalesceMs` of the first one share a single signal. `hashes` were
   * just added to the list: that reload is confirmed once the tracker accepts them.
   */
  request(hashes?: readonly string[]): void;
  /** Sends a requested reload now and waits until it is done. */
  flush(): Promise<void>;
  /** Waits for the reload that covers every request so far (a pending one is not hurried: batches stay batched). */
  settled(): Promise<ReloadOutcome>;
  busy(): boolean;
}

const PROBE_EVERY_MS = 50;
/**
 * A hash the tracker reported before the signal may be one it still holds from an earlier listing (counts are
 * kept after a removal), so its report proves nothing: it gets this long after the signal instead, which a
 * serialized re-read of a local file takes many times over.
 */
const UNPROVABLE_GRACE_MS = 1000;
const DEFAULT_CONFIRM_MS = 10_000;

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

/** The tracker's pid from the pid file, or null (logged) when no tracker of ours runs. */
async function trackerPid(pidFile: string, log: Logger, inspect: (pid: number) => ProcessFacts | null): Promise<number | null> {
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
    return null;
  }
  const pid = parsePid(text);
  if (pid === null) {
    log.warn({ pidFile }, `pid file holds no valid pid; ${NOT_RUNNING}`);
    return null;
  }
  // never signal a pid we cannot tie to the tracker: after an unclean exit it may be anybody's now
  const why = whyNotOurTracker(pid, inspect(pid), mtimeMs);
  if (why !== null) {
    log.warn({ pid, pidFile }, `not signalled: ${why}; ${NOT_RUNNING}`);
    return null;
  }
  return pid;
}

/** 'unconfirmed' once sent: the tracker re-reads its list after the signal, on its own time. */
function sighup(pid: number, pidFile: string, log: Logger): ReloadOutcome {
  try {
    process.kill(pid, 'SIGHUP');
    log.info({ pid }, 'sent SIGHUP to tracker');
    return 'unconfirmed';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') log.warn({ pid, pidFile }, `stale pid file; ${NOT_RUNNING}`);
    else log.error({ pid, code }, 'could not signal the tracker');
    return code === 'ESRCH' ? 'not-running' : 'unconfirmed';
  }
}

/**
 * The tracker re-reads its list after the signal, on its own time: ask it until it reports every new hash, at
 * most `timeoutMs`. `before` is what it reported before the signal. Without a probe, or with no new hash, there
 * is nothing to wait for.
 */
async function confirmed(
  hashes: readonly string[],
  before: ProbeAnswer,
  probe: ((hashes: readonly string[]) => Promise<ProbeAnswer>) | undefined,
  timeoutMs: number,
  log: Logger,
): Promise<ReloadOutcome> {
  if (hashes.length === 0) return 'confirmed';
  if (probe === undefined) return 'unconfirmed';
  const started = performance.now();
  const fresh = hashes.filter((h) => !before?.has(h));
  for (;;) {
    const answer = fresh.length === 0 ? new Set<string>() : await probe(fresh);
    if (answer === null) {
      log.warn({ hashes: hashes.length }, 'cannot ask the tracker whether it accepts the new hashes (its scrape URL did not answer)');
      return 'unconfirmed';
    }
    if (fresh.every((h) => answer.has(h))) break;
    if (performance.now() + PROBE_EVERY_MS > started + timeoutMs) {
      log.warn({ hashes: hashes.length, waitedMs: timeoutMs }, 'the tracker still refuses the new hashes after the reload');
      return 'unconfirmed';
    }
    await sleep(PROBE_EVERY_MS);
  }
  if (fresh.length < hashes.length) await sleep(Math.max(0, started + UNPROVABLE_GRACE_MS - performance.now()));
  return 'confirmed';
}

function runCommand(command: string, timeoutMs: number, log: Logger): Promise<ReloadOutcome> {
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', command], { timeout: timeoutMs, maxBuffer: 64 * 1024 }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string; killed?: boolean; signal?: string }) | null;
      const exitCode = e === null ? 0 : typeof e.code === 'number' ? e.code : null;
      const fields = {
        command,
        exitCode,
        ...(e?.signal ? { signal: e.signal } : {}),
        stderr: stderr.trim().slice(0, 500) || undefined,
        stdout: stdout.trim().slice(0, 500) || undefined,
      };
      if (e === null) log.info(fields, 'reload command done');
      else if (e.killed) log.error(fields, `reload command timed out after ${timeoutMs} ms`);
      else log.error(fields, 'reload command failed');
      // the command's exit is its "done": `kill -HUP` to an opentracker returns before it re-reads the list,
      // which takes it a few milliseconds; a command that must be sure waits for its tracker itself
      resolve(e === null ? 'confirmed' : 'unconfirmed');
    });
  });
}

export function createTrackerSignaller(opts: TrackerSignalOptions): TrackerSignaller {
  const confirmMs = opts.confirmTimeoutMs ?? DEFAULT_CONFIRM_MS;
  let timer: NodeJS.Timeout | null = null;
  /** Hashes added since the last send, and who waits for the next send. */
  let hashes = new Set<string>();
  let waiters: Array<(o: ReloadOutcome) => void> = [];
  let inFlight: Promise<ReloadOutcome> = Promise.resolve('confirmed');
  let running = 0;
  const reload = async (batch: readonly string[]): Promise<ReloadOutcome> => {
    if (opts.reloadCommand !== null) return runCommand(opts.reloadCommand, opts.timeoutMs, opts.log);
    if (opts.reloadInProcess !== undefined) {
      try {
        await opts.reloadInProcess();
        return 'confirmed';
      } catch (err) {
        opts.log.error({ error: err instanceof Error ? err.message : String(err) }, 'the tracker could not reload its access list');
        return 'unconfirmed';
      }
    }
    const pid = await trackerPid(opts.pidFile, opts.log, opts.inspect ?? ((p) => readProcess(p)));
    if (pid === null) return 'not-running';
    const ask = opts.probe;
    const probe = ask === undefined ? undefined : (h: readonly string[]) => ask(h, pid);
    const before = probe !== undefined && batch.length > 0 ? await probe(batch) : null;
    const sent = sighup(pid, opts.pidFile, opts.log);
    return sent === 'unconfirmed' ? confirmed(batch, before, probe, confirmMs, opts.log) : sent;
  };
  const send = (): Promise<ReloadOutcome> => {
    timer = null;
    const batch = [...hashes];
    const told = waiters;
    hashes = new Set();
    waiters = [];
    running++;
    // one reload at a time: a later one must not finish before an earlier one that read an older list
    inFlight = inFlight
      .then(() => reload(batch))
      .catch((err: unknown): ReloadOutcome => {
        opts.log.error({ error: err instanceof Error ? err.message : String(err) }, 'tracker reload failed');
        return 'unconfirmed';
      })
      .finally(() => {
        running--;
      });
    void inFlight.then((o) => {
      for (const w of told) w(o);
    });
    return inFlight;
  };
  return {
    request(added = []) {
      for (const h of added) hashes.add(h);
      if (timer === null) timer = setTimeout(() => void send(), opts.coalesceMs);
    },
    async flush() {
      if (timer !== null) {
        clearTimeout(timer);
        await send();
      }
      await inFlight;
    },
    settled() {
      if (timer === null) return inFlight;
      return new Promise((resolve) => waiters.push(resolve));
    },
    busy: () => timer !== null || running > 0,
  };
}
