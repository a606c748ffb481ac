/** HTTP announce load through wrk (Debian package) with bench/wrk-announce.lua. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPinned } from './proc.js';

// the Lua script is not compiled: it lives beside the sources, two levels above dist/bench/
const LUA = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench/wrk-announce.lua');

export interface WrkOptions {
  readonly port: number;
  readonly hashesFile: string;
  readonly torrents: number;
  readonly peers: number;
  readonly seconds: number;
  readonly connections: number;
  readonly close: boolean;
  readonly numwant: number;
}

export interface WrkResult {
  readonly ok: number;
  readonly bad: number;
  readonly requests: number;
  readonly seconds: number;
  readonly errConnect: number;
  readonly errRead: number;
  readonly errWrite: number;
  readonly errTimeout: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export async function runWrk(o: WrkOptions, cpu: number | null, onSpawn?: (pid: number) => void): Promise<WrkResult> {
  const cmd = ['wrk', '-t1', `-c${o.connections}`, `-d${o.seconds}s`, '--timeout', '5s', '-s', LUA, `http://127.0.0.1:${o.port}`];
  const { code, out, err } = await runPinned(
    cmd,
    cpu,
    {
      ...process.env,
      BENCH_HASHES: o.hashesFile,
      BENCH_N: String(o.torrents),
      BENCH_PEERS: String(o.peers),
      BENCH_NUMWANT: String(o.numwant),
      BENCH_CLOSE: o.close ? '1' : '0',
      BENCH_SEED: '7',
    },
    onSpawn,
  );
  const line = out.split('\n').find((l) => l.startsWith('BENCHJSON '));
  if (code !== 0 || !line) throw new Error(`wrk failed with ${code}: ${err.trim() || out.trim()}`);
  const j = JSON.parse(line.slice(10)) as Record<string, number>;
  return {
    ok: j['ok']!,
    bad: j['bad']!,
    requests: j['requests']!,
    seconds: j['duration_us']! / 1e6,
    errConnect: j['err_connect']!,
    errRead: j['err_read']!,
    errWrite: j['err_write']!,
    errTimeout: j['err_timeout']!,
    p50Ms: j['p50_us']! / 1000,
    p99Ms: j['p99_us']! / 1000,
  };
}
