/**
 * The Redis store against the memory store, in one run on one machine:
 *
 * - UDP announces per second of one tracker instance with `--store memory`, then with `--store redis://…`
 *   (a second instance attached to the same Redis, so the first one's peer changes really go somewhere);
 *   same population and generator; the ratio is the figure (goal >= 0.5);
 * - the lag of peer propagation: a new peer announced over HTTP to instance A, polled for in instance B's
 *   replies every 5 ms, measured idle and while A is under the UDP load.
 *
 *   node dist/bench/store-compare.js [--seconds N]     (default 8; prints a markdown table)
 * or as the `store` section of `npm run bench`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { meterPhase } from './cpu-meter.js';
import { whitelistText } from './population.js';
import { sleep, startTracker, type TrackerProcess } from './proc.js';
import { genOptions, medianPerSecond, runUdpGen } from './udp-load.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { httpAnnounce } from '../test/helpers/announce.js';
import { peerId } from '../test/helpers/tracker-urls.js';
import type { SectionResult } from './report.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TORRENTS = 200;
const PEERS = 100;

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

async function load(tr: TrackerProcess, whitelist: string, seconds: number) {
  const t = { port: tr.udpPort, hashesFile: whitelist, torrents: TORRENTS, peers: PEERS };
  // every announce of the preload is a new peer: the worst case for the exchange (each one is a change to send)
  const { value: pre, cpu: preCpu } = await meterPhase([tr.pid], (onPid) => runUdpGen(genOptions(t, 'preload', 60, 0, 1), null, onPid));
  // warm-up, unmeasured
  await runUdpGen(genOptions(t, 'load', 2, 50, 7), null);
  const { value, cpu } = await meterPhase([tr.pid], (onPid) => runUdpGen(genOptions(t, 'load', seconds, 50, 99), null, onPid));
  return {
    perSecond: medianPerSecond(value.result.perSecond),
    ok: value.result.ok,
    cpuUs: (1e6 * cpu.trackerCpuSeconds) / Math.max(1, value.result.ok),
    lost: value.result.lost,
    newPerSecond: pre.result.ok / Math.max(0.001, pre.result.seconds),
    newCpuUs: (1e6 * preCpu.trackerCpuSeconds) / Math.max(1, pre.result.ok),
  };
}

/** Announces a fresh peer to A, then asks B until that peer is in its reply; milliseconds. */
async function lagOnce(a: TrackerProcess, b: TrackerProcess, hashHex: string, n: number): Promise<number> {
  const port = 30000 + n;
  const t0 = performance.now();
  await httpAnnounce(a.httpPort, hashHex, {
    peer_id: peerId(`lag${n}`),
    port,
    uploaded: 0,
    downloaded: 0,
    left: 5,
    event: 'started',
    numwant: 0,
  });
  for (;;) {
    const r = await httpAnnounce(b.httpPort, hashHex, {
      peer_id: peerId('probe'),
      port: 29999,
      uploaded: 0,
      downloaded: 0,
      left: 5,
      numwant: 200,
    });
    if (r.reply.peers.includes(`127.0.0.1:${port}`)) return performance.now() - t0;
    if (performance.now() - t0 > 5000) return Infinity;
    await sleep(5);
  }
}

async function lags(a: TrackerProcess, b: TrackerProcess, hashHex: string, count: number, base: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(await lagOnce(a, b, hashHex, base + i));
    await sleep(50);
  }
  return out.sort((x, y) => x - y);
}

const pct = (s: number[], p: number): string => s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(0);

export interface StoreFigures {
  readonly memory: Awaited<ReturnType<typeof load>>;
  readonly redis: Awaited<ReturnType<typeof load>>;
  readonly lagIdleMs: number[];
  readonly lagLoadedMs: number[];
}

export async function storeFigures(seconds: number): Promise<StoreFigures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'store-bench-'));
  const whitelist = path.join(dir, 'whitelist');
  fs.writeFileSync(whitelist, whitelistText(TORRENTS + 1));
  const lagHash = fs.readFileSync(whitelist, 'utf8').trim().split('\n')[TORRENTS]!.slice(0, 40).toLowerCase();
  const redis = await startRedis();
  try {
    const mem = await startTracker({
      root: ROOT,
      whitelist,
      stateFile: path.join(dir, 'mem.state'),
      cpu: null,
      extraArgs: ['--journal-file', path.join(dir, 'mem.journal')],
    });
    const m = await load(mem, whitelist, seconds);
    await mem.stop();
    const store = ['--store', redis.url, '--store-prefix', 'bench:'];
    const a = await startTracker({
      root: ROOT,
      whitelist,
      stateFile: path.join(dir, 'a.state'),
      cpu: null,
      extraArgs: [...store, '--journal-file', path.join(dir, 'a.journal')],
    });
    const b = await startTracker({
      root: ROOT,
      whitelist,
      stateFile: path.join(dir, 'b.state'),
      cpu: null,
      extraArgs: [...store, '--journal-file', path.join(dir, 'b.journal')],
    });
    try {
      await sleep(1000);
      const idle = await lags(a, b, lagHash, 20, 0);
      const loaded = load(a, whitelist, seconds);
      // probe while the measured phase runs (preload and warm-up take a few seconds first)
      await sleep(6000);
      const underLoad = await lags(a, b, lagHash, 10, 100);
      return { memory: m, redis: await loaded, lagIdleMs: idle, lagLoadedMs: underLoad };
    } finally {
      await a.stop();
      await b.stop();
    }
  } finally {
    await redis.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function rowsOf(f: StoreFigures): Array<[string, string]> {
  const { memory: m, redis: r } = f;
  return [
    ['UDP announces/s, memory store', `${m.perSecond.toFixed(0)} (tracker CPU ${m.cpuUs.toFixed(1)} µs/announce)`],
    ['UDP announces/s, Redis store (2 instances)', `${r.perSecond.toFixed(0)} (tracker CPU ${r.cpuUs.toFixed(1)} µs/announce)`],
    [
      'ratio Redis / memory (announces/s; CPU per announce)',
      `${(r.perSecond / m.perSecond).toFixed(2)}; ${(m.cpuUs / r.cpuUs).toFixed(2)}`,
    ],
    [
      'new peers (preload, every announce a change), announces/s memory / Redis',
      `${m.newPerSecond.toFixed(0)} / ${r.newPerSecond.toFixed(0)} (CPU ${m.newCpuUs.toFixed(1)} / ${r.newCpuUs.toFixed(1)} µs)`,
    ],
    [
      'propagation A -> B, idle (20 probes)',
      `median ${pct(f.lagIdleMs, 0.5)} ms, p95 ${pct(f.lagIdleMs, 0.95)} ms, max ${pct(f.lagIdleMs, 1)} ms`,
    ],
    ['propagation A -> B, A under UDP load (10 probes)', `median ${pct(f.lagLoadedMs, 0.5)} ms, max ${pct(f.lagLoadedMs, 1)} ms`],
  ];
}

/** The `store` section of `npm run bench`. */
export async function storeCompare(seconds: number): Promise<SectionResult> {
  const f = await storeFigures(seconds);
  // judged on announces/s as the goal says; CPU per announce (the steadier figure on a busy machine) is shown beside it
  const ratio = f.redis.perSecond / f.memory.perSecond;
  const rows = rowsOf(f).map(([metric, value]) => ({ metric, value }));
  rows[2] = { ...rows[2]!, goal: '>= 0.5', pass: ratio >= 0.5 } as (typeof rows)[number];
  return { name: 'Redis store vs memory store (UDP, one instance)', rows, data: f };
}

async function main(): Promise<void> {
  const seconds = arg('--seconds', 8);
  const f = await storeFigures(seconds);
  console.log(
    `Store bench ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} CPUs, ${TORRENTS} torrents x ${PEERS} peers, ${seconds} s per phase, unpinned\n`,
  );
  console.log('| metric | value |\n|---|---|');
  for (const [k, v] of rowsOf(f)) console.log(`| ${k} | ${v} |`);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
