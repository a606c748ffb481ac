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

/** Median of the whole 1-second buckets (first and last, partial, dropped). */
export function medianPerSecond(perSecond: readonly number[]): number {
  const inner = perSecond.length > 2 ? perSecond.slice(1, -1) : [...perSecond];
  if (inner.length === 0) return 0;
  const s = [...inner].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
