/** Runs the BEP 15 generator (udp-gen.ts) as a child process pinned to the generator CPU. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPinned } from './proc.js';
import type { GenOptions, GenResult } from './udp-gen.js';

const GEN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'udp-gen.js');

export interface UdpRun {
  readonly result: GenResult;
  readonly pid: number;
}

export async function runUdpGen(o: GenOptions, cpu: number | null, onSpawn?: (pid: number) => void): Promise<UdpRun> {
  const { code, out, err, pid } = await runPinned([process.execPath, GEN, JSON.stringify(o)], cpu, undefined, onSpawn);
  const line = out.trim().split('\n').pop() ?? '';
  if (code !== 0 || !line.startsWith('{')) throw new Error(`udp-gen (${o.mode}) failed with ${code}: ${err.trim() || out.trim()}`);
  return { result: JSON.parse(line) as GenResult, pid };
}

/** The population a run targets: tracker port, hashes file, torrents x peers. */
export type GenTarget = Pick<GenOptions, 'port' | 'hashesFile' | 'torrents' | 'peers'>;

/** The generator's usual shape against a loopback tracker: 4 sockets, 128 announces outstanding. */
export function genOptions(t: GenTarget, mode: GenOptions['mode'], seconds: number, numwant: number, seed: number): GenOptions {
  return { mode, host: '127.0.0.1', ...t, seconds, sockets: 4, window: 128, numwant, seed };
}

/** Median of the whole 1-second buckets (first and last, partial, dropped). */
export function medianPerSecond(perSecond: readonly number[]): number {
  const inner = perSecond.length > 2 ? perSecond.slice(1, -1) : [...perSecond];
  if (inner.length === 0) return 0;
  const s = [...inner].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
