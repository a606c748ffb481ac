import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { announceText } from './announce.js';

export interface Opentracker {
  readonly base: string;
  readonly port: number;
  readonly proc: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Debian opentracker on loopback, stats allowed from 127.0.0.1. It reads the whitelist about a second
 * after start, so wait until a whitelisted announce is accepted (a leecher that then leaves: no completion).
 */
export async function startOpentracker(bin: string, port: number, whitelist: string, probeHash: string): Promise<Opentracker> {
  const proc = spawn(bin, ['-i', '127.0.0.1', '-p', String(port), '-P', String(port), '-w', whitelist, '-A', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  proc.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const base = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGINT');
    const t = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(t);
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`opentracker exited: ${output}`);
    try {
      const body = await announceText(base, probeHash, { peer: 'probe', port: 1, left: 1, event: 'started' });
      if (body.startsWith('d') && !body.includes('failure')) {
        await announceText(base, probeHash, { peer: 'probe', port: 1, left: 1, event: 'stopped' });
        return { base, port, proc, stop };
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`opentracker did not accept announces within 15 s: ${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
