import { readFileSync } from 'node:fs';

/**
 * What Linux's /proc says about a process, for deciding whether a pid found in a pid file still is the
 * process that wrote it. Parsers are pure; readProcess is the I/O edge.
 */
export interface ProcessFacts {
  /** argv, split on NUL; empty for kernel threads. */
  readonly cmdline: readonly string[];
  /** /proc/PID/comm (the executable name, 15 characters at most). */
  readonly comm: string;
  /** When the process started, epoch ms (10 ms resolution; follows the wall clock of now). */
  readonly startedAtMs: number;
}

/** USER_HZ: the unit of /proc/PID/stat times; 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Field 22 (starttime, clock ticks after boot) of /proc/PID/stat; the name in field 2 may hold ') ' itself. */
export function parseStartTicks(stat: string): number | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  const fields = stat.slice(close + 2).split(' ');
  // fields[0] is field 3 (state), so starttime (field 22) is fields[19]
  const v = fields[19];
  return v !== undefined && /^\d{1,20}$/.test(v) ? Number(v) : null;
}

export function parseUptimeSeconds(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s/.exec(text);
  return m ? Number(m[1]) : null;
}

export function startedAtMs(startTicks: number, uptimeSeconds: number, nowMs: number): number {
  return nowMs - (uptimeSeconds - startTicks / CLOCK_TICKS_PER_SECOND) * 1000;
}

export interface ProcDeps {
  readFile(path: string): string;
  now(): number;
}

const SYSTEM: ProcDeps = { readFile: (p) => readFileSync(p, 'utf8'), now: Date.now };

/** The facts about `pid`, or null when it is not running (or /proc is not there). */
export function readProcess(pid: number, deps: ProcDeps = SYSTEM): ProcessFacts | null {
  try {
    const stat = deps.readFile(`/proc/${pid}/stat`);
    const uptime = parseUptimeSeconds(deps.readFile('/proc/uptime'));
    const ticks = parseStartTicks(stat);
    if (uptime === null || ticks === null) return null;
    const cmdline = deps
      .readFile(`/proc/${pid}/cmdline`)
      .split('\0')
      .filter((a, i, all) => a !== '' || i < all.length - 1);
    return { cmdline, comm: deps.readFile(`/proc/${pid}/comm`).trim(), startedAtMs: startedAtMs(ticks, uptime, deps.now()) };
  } catch {
    return null;
  }
}
