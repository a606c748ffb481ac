/**
 * Process plumbing for the bench: pinning, /proc readings, and starting the tracker as a real process.
 * Linux only (/proc); everything else degrades to "not measured" rather than failing the run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createInterface } from 'node:readline';
import { loopbackTrackerArgs } from '../test/helpers/tracker-args.js';

export const CLK_TCK = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** `taskset -c CPU` prefix when taskset exists and the machine has that CPU, else nothing. */
export function pinPrefix(cpu: number | null): string[] {
  if (cpu === null || !hasTool('taskset')) return [];
  const cpus = spawnSync('nproc', [], { encoding: 'utf8' }).stdout.trim();
  return Number(cpus) > cpu ? ['taskset', '-c', String(cpu)] : [];
}

/** Resident set size in bytes (VmRSS), or null when the process is gone. */
export function rssBytes(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

interface ProcStat {
  readonly ppid: number;
  readonly pgrp: number;
  readonly cpuSeconds: number;
}

export function procStat(pid: number): ProcStat | null {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name may contain spaces and parentheses: fields start after the last ')'
    const f = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), pgrp: Number(f[2]), cpuSeconds: (Number(f[11]) + Number(f[12])) / CLK_TCK };
  } catch {
    return null;
  }
}

/** utime + stime of a process in seconds, or null when it is gone. */
export function cpuSeconds(pid: number): number | null {
  return procStat(pid)?.cpuSeconds ?? null;
}

export function processesInGroup(pgrp: number): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    if (procStat(Number(name))?.pgrp === pgrp) out.push(Number(name));
  }
  return out;
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
export function machineJiffies(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface TrackerProcess {
  readonly pid: number;
  readonly httpPort: number;
  readonly udpPort: number;
  readonly child: ChildProcess;
  /** The last log lines, for error messages. */
  readonly tail: string[];
  /** SIGTERM, then SIGKILL after 5 s; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface TrackerStart {
  readonly root: string;
  readonly whitelist: string;
  readonly stateFile: string;
  readonly cpu: number | null;
  readonly extraArgs?: readonly string[];
  readonly nodeArgs?: readonly string[];
}

/** The command line of ./bin/tracker (or node with nodeArgs), pinned to o.cpu. */
function trackerCommand(o: TrackerStart): string[] {
  const trackerArgs = [...loopbackTrackerArgs({ whitelist: o.whitelist, stateFile: o.stateFile }), ...(o.extraArgs ?? [])];
  return o.nodeArgs
    ? [...pinPrefix(o.cpu), process.execPath, ...o.nodeArgs, 'dist/apps/tracker/src/main.js', ...trackerArgs]
    : [...pinPrefix(o.cpu), './bin/tracker', ...trackerArgs];
}

/**
 * Reads the tracker's log lines into `tail` (last 30) until it has logged both listening ports; rejects if it
 * exits first or takes more than 20 s.
 */
function listeningPorts(
  child: ChildProcess,
  tail: string[],
  exited: Promise<number | null>,
): Promise<{ httpPort: number; udpPort: number }> {
  let httpPort = 0;
  let udpPort = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tracker did not listen within 20 s:\n${tail.join('\n')}`)), 20_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`tracker exited with ${code}:\n${tail.join('\n')}`));
    });
    const onLine = (line: string): void => {
      tail.push(line);
      if (tail.length > 30) tail.shift();
      try {
        const j = JSON.parse(line) as { msg?: string; proto?: string; port?: number };
        if (j.msg === 'listening' && j.proto === 'tcp') httpPort = j.port ?? 0;
        if (j.msg === 'listening' && j.proto === 'udp') udpPort = j.port ?? 0;
      } catch {
        /* not JSON: keep it in the tail only */
      }
      if (httpPort && udpPort) {
        clearTimeout(timer);
        resolve({ httpPort, udpPort });
      }
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
  });
}

/** Starts ./bin/tracker (or node with nodeArgs, e.g. --cpu-prof) on free loopback ports. */
export async function startTracker(o: TrackerStart): Promise<TrackerProcess> {
  const cmd = trackerCommand(o);
  const child = spawn(cmd[0]!, cmd.slice(1), { cwd: o.root, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const { httpPort, udpPort } = await listeningPorts(child, tail, exited);
  return {
    pid: child.pid!,
    httpPort,
    udpPort,
    child,
    tail,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** GET over loopback; resolves with status and body text. */
export async function httpGet(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}

/** Peers and seeders the tracker reports stored (/stats?mode=peer: "peers\nseeds\n..."). */
export async function storedPeers(httpPort: number): Promise<{ peers: number; seeds: number } | null> {
  try {
    const { status, body } = await httpGet(`http://127.0.0.1:${httpPort}/stats?mode=peer`);
    const [p, s] = body.split('\n');
    return status === 200 ? { peers: Number(p), seeds: Number(s) } : null;
  } catch {
    return null;
  }
}

/** Runs a load generator to its end (pinned to `cpu` when given) and returns its exit code and output. */
export async function runPinned(
  cmd: readonly string[],
  cpu: number | null,
  env: NodeJS.ProcessEnv | undefined,
  onSpawn?: (pid: number) => void,
): Promise<{ code: number | null; out: string; err: string; pid: number }> {
  const full = [...pinPrefix(cpu), ...cmd];
  const child = spawn(full[0]!, full.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env });
  if (child.pid !== undefined) onSpawn?.(child.pid);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  return { code, out, err, pid: child.pid ?? 0 };
}
