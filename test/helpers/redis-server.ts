import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { reapAtExit } from './child-reaper.js';
import { freeTcpPort } from './free-port.js';

/**
 * A real redis-server (Debian's) for a test, on a port the kernel picked, with its own temp dir and no
 * persistence unless asked. stop() ends it; an exit hook kills it if a test dies first.
 */
export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly pid: number;
  readonly child: ChildProcess;
  signal(sig: NodeJS.Signals): void;
  /** SIGTERM (Redis writes its persistence files), then the same server again on the same port and dir. */
  restart(): Promise<RedisServer>;
  stop(): Promise<void>;
}

export async function startRedis(extra: readonly string[] = [], at?: { dir: string; port: number }): Promise<RedisServer> {
  const dir = at?.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'redis-it-'));
  for (let attempt = 0; ; attempt++) {
    const port = at?.port ?? (await freeTcpPort());
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    reapAtExit(child);
    let out = '';
    child.stdout!.setEncoding('utf8');
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 5000);
      child.stdout!.on('data', (c: string) => {
        out += c;
        if (/Ready to accept connections/.test(out)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      child.once('exit', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (!ready) {
      child.kill('SIGKILL');
      if (attempt < 3 && at === undefined) continue;
      throw new Error(`redis-server did not start:\n${out}`);
    }
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      pid: child.pid!,
      child,
      signal: (sig) => child.kill(sig),
      async restart() {
        child.kill('SIGTERM');
        await exited;
        return startRedis(extra, { dir, port });
      },
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGCONT');
          child.kill('SIGKILL');
          await exited;
        }
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}
