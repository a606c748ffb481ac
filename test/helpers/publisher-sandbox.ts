import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { pino, type Logger } from 'pino';
import parseTorrent from 'parse-torrent';
import { parsePublisherConfig, type PublisherConfig } from '../../apps/publisher/src/config.js';
import type { Manifest } from '../../libs/common/src/manifest.js';
import { REPO_ROOT } from './repo-paths.js';

export const run = promisify(execFile);

export interface Sandbox {
  readonly dir: string;
  readonly releases: string;
  readonly data: string;
  readonly whitelist: string;
  readonly pidFile: string;
  cleanup(): Promise<void>;
}

/** A temp folder laid out like a deployment; world-readable so a dropped-privilege opentracker can read it. */
export async function sandbox(): Promise<Sandbox> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'publisher-test-'));
  await chmod(dir, 0o755);
  const releases = path.join(dir, 'releases');
  const data = path.join(dir, 'data');
  await mkdir(releases);
  await mkdir(data);
  return {
    dir,
    releases,
    data,
    whitelist: path.join(dir, 'whitelist'),
    pidFile: path.join(data, 'tracker.pid'),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

export function configFor(sb: Sandbox, flags: string[] = [], overrides: Partial<PublisherConfig> = {}): PublisherConfig {
  const parsed = parsePublisherConfig(['--releases', sb.releases, '--whitelist', sb.whitelist, '--pid-file', sb.pidFile, ...flags], {
    env: { DATA_DIR: sb.data, PUBLIC_HOST: '127.0.0.1' },
    cwd: sb.dir,
  });
  if (parsed.kind !== 'config') throw new Error('unexpected help');
  return Object.freeze({ ...parsed.config, stableMs: 400, signalCoalesceMs: 100, ...overrides });
}

/** A pino logger that keeps every line, for assertions on what was logged. */
export function captureLogger(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return { log: pino({ level: process.env['TEST_LOG'] ? 'debug' : 'debug', base: { app: 'publisher' } }, stream), lines };
}

export async function readManifest(sb: Sandbox): Promise<Manifest> {
  try {
    return JSON.parse(await readFile(path.join(sb.data, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    return { version: 1, releases: [] };
  }
}

export async function readWhitelist(sb: Sandbox): Promise<string> {
  return readFile(sb.whitelist, 'utf8').catch(() => '');
}

export async function mktorrentHash(input: string, pieceLength: number, out: string): Promise<string> {
  // -t 1: Debian's mktorrent 1.1 can deadlock with several hashing threads on a file of few pieces
  await run('mktorrent', ['-t', '1', '-l', String(Math.log2(pieceLength)), '-a', 'x', '-o', out, input], { timeout: 30_000 }).catch(
    (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT')
        throw new Error('mktorrent is not installed (the reference hasher for this test): apt-get install mktorrent');
      throw err;
    },
  );
  return (await parseTorrent(await readFile(out))).infoHash as string;
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(t);
}

/**
 * What the publisher needs at run time, besides node's own modules: its JSON logger (libs/common/src/json-log.ts)
 * loads pino's serializer and formatters, not pino.
 */
const PUBLISHER_PACKAGES = [
  'bencode',
  'chokidar',
  'create-torrent',
  'parse-torrent',
  'pino-std-serializers',
  'quick-format-unescaped',
  'safe-stable-stringify',
];
let readableCopy: Promise<string> | null = null;

/**
 * A world-readable copy of the built publisher (dist/apps/publisher, dist/libs and the packages it imports), for
 * running it as another user: the checkout itself may sit under a 0700 folder (/root, mktemp -d) that user cannot
 * enter. Made once per test process, removed at exit.
 */
export function publisherCopy(): Promise<string> {
  readableCopy ??= (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'publisher-copy-'));
    process.once('exit', () => {
      try {
        execFileSync('rm', ['-rf', dir]);
      } catch {
        /* best effort */
      }
    });
    for (const sub of ['dist/apps/publisher', 'dist/libs'])
      await cp(path.join(REPO_ROOT, sub), path.join(dir, sub), { recursive: true, dereference: true });
    const seen = new Set<string>();
    const queue = [...PUBLISHER_PACKAGES];
    for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
      if (seen.has(name)) continue;
      seen.add(name);
      const from = path.join(REPO_ROOT, 'node_modules', name);
      const pkg = JSON.parse(await readFile(path.join(from, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
        optionalDependencies?: Record<string, string>;
      };
      await cp(from, path.join(dir, 'node_modules', name), { recursive: true, dereference: true });
      for (const dep of Object.keys({ ...pkg.dependencies })) {
        // A dependency nested in the package's own node_modules came along with it.
        if (!existsSync(path.join(from, 'node_modules', dep))) queue.push(dep);
      }
    }
    await writeFile(path.join(dir, 'package.json'), '{"type":"module"}\n');
    execFileSync('chmod', ['-R', 'a+rX', dir]);
    return dir;
  })();
  return readableCopy;
}

/**
 * Runs the publisher to completion (for --once / --help / bad flags): ./bin/publisher, or, as another user
 * (uid given), node on a world-readable copy so the test does not depend on where the checkout lives.
 */
export async function runPublisherCli(
  args: string[],
  opts: { env?: Record<string, string>; uid?: number; gid?: number; cwd?: string } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const asOther = opts.uid !== undefined && opts.uid !== process.getuid?.();
  const [cmd, argv] = asOther
    ? [process.execPath, ['--max-semi-space-size=1', path.join(await publisherCopy(), 'dist/apps/publisher/src/main.js'), ...args]]
    : [path.join(REPO_ROOT, 'bin/publisher'), args];
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, {
      cwd: opts.cwd ?? (asOther ? '/' : REPO_ROOT),
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...opts.env },
      ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid ?? opts.uid } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
