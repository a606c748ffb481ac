import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { reapAtExit } from './child-reaper.js';
import { collectOutput, type LogLine, type ProcessOutput } from './process-output.js';
import { bin } from './repo-paths.js';
import { makeTempDir } from './temp-dir.js';

export type { LogLine } from './process-output.js';

/**
 * Runs ./bin/tracker as a real process on ports chosen by the kernel and reads its pino lines from stdout.
 * Every child is remembered so a failing test cannot leave a tracker behind: tests call cleanup() in an
 * after hook, and an exit hook kills whatever is still alive as a last resort.
 */

export const TRACKER_BIN = bin('tracker');

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
  /** Starts the tracker under `ulimit -n` this low (through bash), to run it out of file descriptors. */
  readonly maxOpenFiles?: number;
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

/** Where the tracker keeps its files, and whether the folder is ours to remove. */
interface TrackerFiles {
  readonly dir: string;
  readonly ownDir: boolean;
  readonly whitelistPath: string;
  readonly statePath: string;
  readonly pidPath: string;
  removeOwnDir(): void;
}

/** The folder (a fresh temp dir unless given) with the access list written as asked. */
function prepareFiles(opts: TrackerProcessOptions): TrackerFiles {
  const tmp = opts.dir === undefined ? makeTempDir('tracker-it-') : undefined;
  const dir = opts.dir ?? tmp!.dir;
  const whitelistPath = path.join(dir, 'whitelist');
  if (opts.whitelistText !== undefined) fs.writeFileSync(whitelistPath, opts.whitelistText);
  else if (opts.whitelist !== undefined || !fs.existsSync(whitelistPath)) writeWhitelist(whitelistPath, opts.whitelist ?? []);
  return {
    dir,
    ownDir: tmp !== undefined,
    whitelistPath,
    statePath: path.join(dir, 'state.txt'),
    pidPath: path.join(dir, 'tracker.pid'),
    removeOwnDir: () => tmp?.remove(),
  };
}

function countFlag(args: readonly string[], flag: string): number {
  return args.filter((a) => a === flag).length;
}

/** The command line, and how many `listening` lines it leads to (one per -p/-P unless told). */
function commandLine(opts: TrackerProcessOptions, f: TrackerFiles): { args: string[]; expect: number } {
  const binds = opts.binds ?? ['-i', '127.0.0.1', '-p', '0', '-P', '0'];
  const args = [
    ...binds,
    opts.listFlag ?? '-w',
    f.whitelistPath,
    '--pid-file',
    f.pidPath,
    '--state-file',
    f.statePath,
    ...(opts.args ?? []),
  ];
  return { args, expect: opts.expectListeners ?? countFlag(args, '-p') + countFlag(args, '-P') };
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

/** Waits for `expect` listening records and returns what they announce. */
async function awaitListeners(out: ProcessOutput, expect: number, timeoutMs: number): Promise<Listener[]> {
  const listeners: Listener[] = [];
  while (listeners.length < expect) {
    const rec = await out.waitForLog((r) => r.msg === 'listening', timeoutMs, indexAfter(out.records(), listeners.length));
    listeners.push({ proto: rec['proto'] as 'tcp' | 'udp', address: String(rec['address']), port: Number(rec['port']) });
  }
  return listeners;
}

interface Started {
  readonly child: ChildProcess;
  readonly out: ProcessOutput;
  readonly files: TrackerFiles;
  readonly args: readonly string[];
  readonly listeners: readonly Listener[];
}

/** The signals and stops a test uses on a running tracker. */
function controls({ child, out, files }: Started): Pick<TrackerProcess, 'signal' | 'sighup' | 'stop' | 'kill9' | 'cleanup'> {
  const kill9 = async (): Promise<void> => {
    if (out.exitCode() === null) child.kill('SIGKILL');
    await out.exited;
  };
  return {
    signal(sig) {
      if (out.exitCode() === null) child.kill(sig);
    },
    sighup(timeoutMs = 5000) {
      const from = out.records().length;
      child.kill('SIGHUP');
      return out.waitForLog((r) => typeof r['loaded'] === 'number' || /not readable/.test(String(r.msg)), timeoutMs, from);
    },
    async stop(sig: NodeJS.Signals = 'SIGTERM', timeoutMs = 10000) {
      if (out.exitCode() !== null) return out.exitCode()!;
      child.kill(sig);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await out.exited;
      clearTimeout(timer);
      return code;
    },
    kill9,
    async cleanup() {
      await kill9();
      files.removeOwnDir();
    },
  };
}

function trackerHandle(s: Started): TrackerProcess {
  const { child, out, files } = s;
  return {
    httpPort: s.listeners.find((l) => l.proto === 'tcp')?.port ?? 0,
    udpPort: s.listeners.find((l) => l.proto === 'udp')?.port ?? 0,
    listeners: s.listeners,
    pid: child.pid!,
    dir: files.dir,
    whitelistPath: files.whitelistPath,
    statePath: files.statePath,
    pidPath: files.pidPath,
    args: s.args,
    child,
    logs: out.lines,
    records: out.records,
    stderr: out.stderr,
    waitForLog: out.waitForLog,
    alive: () => out.exitCode() === null,
    ...controls(s),
  };
}

export async function startTrackerProcess(opts: TrackerProcessOptions = {}): Promise<TrackerProcess> {
  const files = prepareFiles(opts);
  const { args, expect } = commandLine(opts, files);
  const [cmd, argv] =
    opts.maxOpenFiles === undefined
      ? [TRACKER_BIN, args]
      : ['bash', ['-c', `ulimit -n ${opts.maxOpenFiles} && exec "$0" "$@"`, TRACKER_BIN, ...args]];
  const child = spawn(cmd, argv, { cwd: files.dir, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  reapAtExit(child);
  const out = collectOutput(child, 'tracker');
  try {
    const listeners = await awaitListeners(out, expect, opts.startTimeoutMs ?? 15000);
    return trackerHandle({ child, out, files, args, listeners });
  } catch (err) {
    if (out.exitCode() === null) child.kill('SIGKILL');
    await out.exited;
    files.removeOwnDir();
    throw err;
  }
}
