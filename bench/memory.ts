/**
 * Bytes per stored peer at a large swarm: a fresh tracker, preloaded over UDP towards torrents x peers
 * (1,000 x 1,000 = 1M by default, bounded in time), (RSS - idle RSS) / peers it reports stored.
 */
import { startBenchTracker } from './bench-tracker.js';
import { httpGet, rssBytes, sleep, storedPeers } from './proc.js';
import { fmtInt, fmtMiB, type SectionResult } from './report.js';
import { runUdpGen } from './udp-load.js';

export interface MemoryOptions {
  readonly root: string;
  readonly tmp: string;
  readonly torrents: number;
  readonly peers: number;
  readonly seconds: number;
  readonly serverCpu: number | null;
  readonly genCpu: number | null;
  readonly log: (msg: string) => void;
}

export const BYTES_PER_PEER_GOAL = 40;
export const IDLE_RSS_GOAL_MIB = 50;

export async function memoryPerPeer(o: MemoryOptions): Promise<SectionResult> {
  const { whitelist, tracker, close } = await startBenchTracker(o, 'memory');
  try {
    await sleep(1500);
    const idle = rssBytes(tracker.pid) ?? 0;
    const target = o.torrents * o.peers;
    o.log(`memory: preloading towards ${fmtInt(target)} peers (at most ${o.seconds} s)`);
    const { result } = await runUdpGen(
      {
        mode: 'preload',
        host: '127.0.0.1',
        port: tracker.udpPort,
        hashesFile: whitelist,
        torrents: o.torrents,
        peers: o.peers,
        seconds: o.seconds,
        sockets: 4,
        window: 256,
        numwant: 0,
        seed: 3,
      },
      o.genCpu,
    );
    await sleep(2000);
    const rss = rssBytes(tracker.pid) ?? 0;
    const stored = await storedPeers(tracker.httpPort);
    const peers = stored?.peers ?? 0;
    const heapUsed = await heapUsedBytes(tracker.httpPort);
    const perPeer = peers > 0 ? (rss - idle) / peers : NaN;
    return {
      name: 'memory',
      rows: [
        {
          metric: `peers stored (target ${fmtInt(target)})`,
          value: fmtInt(peers),
          note: `preload ${fmtInt(result.ok)} ok in ${result.seconds.toFixed(1)} s${result.complete ? '' : ', time bound hit'}`,
        },
        {
          metric: 'tracker RSS idle / loaded',
          value: `${fmtMiB(idle)} / ${fmtMiB(rss)}`,
          goal: `idle ≤ ${IDLE_RSS_GOAL_MIB} MiB`,
          pass: idle > 0 && idle <= IDLE_RSS_GOAL_MIB * 2 ** 20,
          note: heapUsed === null ? '' : `V8 heap used when loaded: ${fmtMiB(heapUsed)} (/metrics)`,
        },
        {
          metric: 'bytes per peer ((RSS - idle) / peers)',
          value: Number.isFinite(perPeer) ? perPeer.toFixed(1) : 'n/a',
          goal: `≤ ${BYTES_PER_PEER_GOAL}`,
          pass: Number.isFinite(perPeer) ? perPeer <= BYTES_PER_PEER_GOAL : false,
        },
      ],
      data: { target, idleRss: idle, rss, heapUsed, stored, perPeer, preload: result, nodeOptions: process.env['NODE_OPTIONS'] ?? null },
    };
  } finally {
    await close();
  }
}

async function heapUsedBytes(httpPort: number): Promise<number | null> {
  try {
    const m = /^process_heap_used_bytes (\d+)/m.exec((await httpGet(`http://127.0.0.1:${httpPort}/metrics`)).body);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}
