/** Hashing throughput: runs bench/hash-bench.ts (owned by the publisher's helper) and keeps its output. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SectionResult } from './report.js';

const HASH_BENCH = path.join(path.dirname(fileURLToPath(import.meta.url)), 'hash-bench.js');

export async function hashing(sizeMiB: number, log: (msg: string) => void): Promise<SectionResult> {
  if (!fs.existsSync(HASH_BENCH)) return { name: 'hashing', rows: [], data: null, skipped: 'dist/bench/hash-bench.js does not exist yet' };
  log(`hashing: node dist/bench/hash-bench.js --size-mib ${sizeMiB}`);
  const child = spawn(process.execPath, [HASH_BENCH, '--size-mib', String(sizeMiB)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  return {
    name: 'hashing',
    rows: [{ metric: `hash-bench --size-mib ${sizeMiB}`, value: code === 0 ? 'see below' : `exit ${code}` }],
    data: { command: `node dist/bench/hash-bench.js --size-mib ${sizeMiB}`, exitCode: code, output: out },
    text: out,
  };
}
