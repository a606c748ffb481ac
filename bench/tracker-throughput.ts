/**
 * Announces per second against ./bin/tracker: HTTP keep-alive and one connection per request (wrk) and
 * UDP (udp-gen), over a preloaded population of 1,000 whitelisted torrents x 200 peers. The tracker runs
 * on the server CPU, the generators on the generator CPU. Also the tracker's CPU time per request.
 */
import { runWrk, type WrkOptions, type WrkResult } from './http-load.js';
import { meterPhase, type PhaseCpu } from './cpu-meter.js';
import { startBenchTracker } from './bench-tracker.js';
import { hasTool, rssBytes, sleep, storedPeers } from './proc.js';
import { fmtInt, fmtMiB, type Row, type SectionResult } from './report.js';
import type { GenResult } from './udp-gen-types.js';
import { type GenTarget, genOptions, medianPerSecond, runUdpGen, type UdpRun } from './udp-load.js';

export interface ThroughputOptions {
  readonly root: string;
  readonly tmp: string;
  readonly seconds: number;
  readonly torrents: number;
  readonly peers: number;
  readonly serverCpu: number | null;
  readonly genCpu: number | null;
  readonly log: (msg: string) => void;
}

export interface PhaseResult {
  readonly phase: string;
  readonly ok: number;
  readonly okPerSecond: number;
  readonly cpu: PhaseCpu;
  readonly cpuUsPerRequest: number;
  readonly detail: unknown;
}

function phaseRows(p: PhaseResult, label: string): Row[] {
  const note = `tracker CPU ${((100 * p.cpu.trackerCpuSeconds) / p.cpu.wallSeconds).toFixed(0)} %, generator ${((100 * p.cpu.generatorCpuSeconds) / p.cpu.wallSeconds).toFixed(0)} %, foreign ${p.cpu.foreignCpuPct.toFixed(0)} %`;
  return [
    { metric: `${label}, ok/s`, value: fmtInt(p.okPerSecond), note },
    {
      metric: `${label}, tracker CPU per ok request`,
      value: `${p.cpuUsPerRequest.toFixed(1)} µs`,
      // what one core would serve if only the tracker's own CPU time counted: steadier than ok/s on a busy VM
      note: `≈ ${fmtInt(1e6 / Math.max(0.001, p.cpuUsPerRequest))}/s per core of tracker CPU`,
    },
  ];
}

interface LoadTarget {
  readonly o: ThroughputOptions;
  readonly whitelist: string;
  readonly pid: number;
  readonly httpPort: number;
  readonly udpPort: number;
}

type Stored = Awaited<ReturnType<typeof storedPeers>>;

function udpTarget(t: LoadTarget): GenTarget {
  return { port: t.udpPort, hashesFile: t.whitelist, torrents: t.o.torrents, peers: t.o.peers };
}

function wrkOptions(t: LoadTarget, seconds: number, close: boolean): WrkOptions {
  return {
    port: t.httpPort,
    hashesFile: t.whitelist,
    torrents: t.o.torrents,
    peers: t.o.peers,
    seconds,
    connections: 64,
    close,
    numwant: 50,
  };
}

/** The two wrk phases (keep-alive, then Connection: close) after an unmeasured warm-up. */
async function httpPhases(t: LoadTarget): Promise<PhaseResult[]> {
  const { o } = t;
  // unmeasured warm-up so the JIT has compiled the HTTP path before the first figure
  await runWrk(wrkOptions(t, 2, false), o.genCpu);
  const phases: PhaseResult[] = [];
  for (const close of [false, true]) {
    const name = close ? 'http-close' : 'http-keepalive';
    o.log(`throughput: ${name} ${o.seconds} s`);
    const { value, cpu } = await meterPhase([t.pid], (onPid) => runWrk(wrkOptions(t, o.seconds, close), o.genCpu, onPid));
    const v: WrkResult = value;
    phases.push({
      phase: name,
      ok: v.ok,
      okPerSecond: v.ok / v.seconds,
      cpu,
      cpuUsPerRequest: (1e6 * cpu.trackerCpuSeconds) / Math.max(1, v.ok),
      detail: v,
    });
  }
  return phases;
}

async function udpPhase(t: LoadTarget): Promise<PhaseResult> {
  t.o.log(`throughput: udp ${t.o.seconds} s`);
  const { value: udp, cpu } = await meterPhase([t.pid], (onPid) =>
    runUdpGen(genOptions(udpTarget(t), 'load', t.o.seconds, 50, 99), t.o.genCpu, onPid),
  );
  return {
    phase: 'udp',
    ok: udp.result.ok,
    okPerSecond: medianPerSecond(udp.result.perSecond),
    cpu,
    cpuUsPerRequest: (1e6 * cpu.trackerCpuSeconds) / Math.max(1, udp.result.ok),
    detail: udp.result,
  };
}

function httpSection(phases: readonly PhaseResult[] | null): SectionResult {
  if (phases === null) return { name: 'HTTP announce', rows: [], data: null, skipped: 'wrk is not installed (apt-get install wrk)' };
  return {
    name: 'HTTP announce',
    rows: [
      ...phaseRows(phases.find((p) => p.phase === 'http-keepalive')!, 'keep-alive (wrk 1 thread, 64 conns)'),
      ...phaseRows(phases.find((p) => p.phase === 'http-close')!, 'Connection: close'),
      ...phases.map((p) => {
        const d = p.detail as WrkResult;
        return {
          metric: `${p.phase}: invalid replies / socket errors`,
          value: `${fmtInt(d.bad)} / ${fmtInt(d.errConnect + d.errRead + d.errWrite + d.errTimeout)}`,
          note: `p50 ${d.p50Ms.toFixed(2)} ms, p99 ${d.p99Ms.toFixed(2)} ms`,
        };
      }),
    ],
    data: phases,
  };
}

function udpSection(udp: PhaseResult): SectionResult {
  const r = udp.detail as GenResult;
  return {
    name: 'UDP announce',
    rows: [
      ...phaseRows(udp, 'BEP 15, 4 sockets, 128 outstanding (median of 1-s buckets)'),
      { metric: 'udp: errors / timed out', value: `${fmtInt(r.errors)} / ${fmtInt(r.lost)}` },
    ],
    data: [udp],
  };
}

function preloadSection(preload: UdpRun, stored: Stored, idle: number, loaded: number): SectionResult {
  return {
    name: 'preload',
    rows: [
      {
        metric: 'UDP preload (event=started), announces/s',
        value: fmtInt(preload.result.ok / Math.max(0.001, preload.result.seconds)),
        note: `${fmtInt(preload.result.ok)} in ${preload.result.seconds.toFixed(1)} s`,
      },
      {
        metric: 'peers stored (/stats?mode=peer)',
        value: stored ? fmtInt(stored.peers) : 'n/a',
        note: stored ? `${fmtInt(stored.seeds)} seeders` : '',
      },
      { metric: 'tracker RSS idle / after preload', value: `${fmtMiB(idle)} / ${fmtMiB(loaded)}` },
    ],
    data: { preload: preload.result, stored, idleRss: idle, loadedRss: loaded },
  };
}

export async function trackerThroughput(o: ThroughputOptions): Promise<SectionResult[]> {
  const { whitelist, tracker, close } = await startBenchTracker(o, 'throughput');
  const t: LoadTarget = { o, whitelist, pid: tracker.pid, httpPort: tracker.httpPort, udpPort: tracker.udpPort };
  try {
    await sleep(1000);
    const idle = rssBytes(tracker.pid) ?? 0;
    o.log(`throughput: preloading ${fmtInt(o.torrents * o.peers)} peers over UDP`);
    const preload = await runUdpGen(genOptions(udpTarget(t), 'preload', 90, 0, 1), o.genCpu);
    const stored = await storedPeers(tracker.httpPort);
    const loaded = rssBytes(tracker.pid) ?? 0;
    const http = hasTool('wrk') ? await httpPhases(t) : null;
    const udp = await udpPhase(t);
    return [preloadSection(preload, stored, idle, loaded), httpSection(http), udpSection(udp)];
  } finally {
    const code = await close();
    if (code !== 0) o.log(`throughput: tracker exited with ${code}`);
  }
}
