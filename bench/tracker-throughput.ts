/**
 * Announces per second against ./bin/tracker: HTTP keep-alive and one connection per request (wrk) and
 * UDP (udp-gen), over a preloaded population of 1,000 whitelisted torrents x 200 peers. The tracker runs
 * on the server CPU, the generators on the generator CPU. Also the tracker's CPU time per request.
 */
import { runWrk, type WrkResult } from './http-load.js';
import { meterPhase, type PhaseCpu } from './cpu-meter.js';
import { startBenchTracker } from './bench-tracker.js';
import { hasTool, rssBytes, sleep, storedPeers } from './proc.js';
import { fmtInt, fmtMiB, type Row, type SectionResult } from './report.js';
import { medianPerSecond, runUdpGen } from './udp-load.js';

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

export async function trackerThroughput(o: ThroughputOptions): Promise<SectionResult[]> {
  const { whitelist, tracker, close } = await startBenchTracker(o, 'throughput');
  try {
    await sleep(1000);
    const idle = rssBytes(tracker.pid) ?? 0;
    o.log(`throughput: preloading ${fmtInt(o.torrents * o.peers)} peers over UDP`);
    const preload = await runUdpGen(
      {
        mode: 'preload',
        host: '127.0.0.1',
        port: tracker.udpPort,
        hashesFile: whitelist,
        torrents: o.torrents,
        peers: o.peers,
        seconds: 90,
        sockets: 4,
        window: 128,
        numwant: 0,
        seed: 1,
      },
      o.genCpu,
    );
    const stored = await storedPeers(tracker.httpPort);
    const loaded = rssBytes(tracker.pid) ?? 0;
    const phases: PhaseResult[] = [];
    const wrkOk = hasTool('wrk');
    if (wrkOk) {
      // unmeasured warm-up so the JIT has compiled the HTTP path before the first figure
      await runWrk(
        {
          port: tracker.httpPort,
          hashesFile: whitelist,
          torrents: o.torrents,
          peers: o.peers,
          seconds: 2,
          connections: 64,
          close: false,
          numwant: 50,
        },
        o.genCpu,
      );
      for (const close of [false, true]) {
        const name = close ? 'http-close' : 'http-keepalive';
        o.log(`throughput: ${name} ${o.seconds} s`);
        const { value, cpu } = await meterPhase([tracker.pid], (onPid) =>
          runWrk(
            {
              port: tracker.httpPort,
              hashesFile: whitelist,
              torrents: o.torrents,
              peers: o.peers,
              seconds: o.seconds,
              connections: 64,
              close,
              numwant: 50,
            },
            o.genCpu,
            onPid,
          ),
        );
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
    }
    o.log(`throughput: udp ${o.seconds} s`);
    const { value: udp, cpu: udpCpu } = await meterPhase([tracker.pid], (onPid) =>
      runUdpGen(
        {
          mode: 'load',
          host: '127.0.0.1',
          port: tracker.udpPort,
          hashesFile: whitelist,
          torrents: o.torrents,
          peers: o.peers,
          seconds: o.seconds,
          sockets: 4,
          window: 128,
          numwant: 50,
          seed: 99,
        },
        o.genCpu,
        onPid,
      ),
    );
    phases.push({
      phase: 'udp',
      ok: udp.result.ok,
      okPerSecond: medianPerSecond(udp.result.perSecond),
      cpu: udpCpu,
      cpuUsPerRequest: (1e6 * udpCpu.trackerCpuSeconds) / Math.max(1, udp.result.ok),
      detail: udp.result,
    });
    const http: SectionResult = wrkOk
      ? {
          name: 'HTTP announce',
          rows: [
            ...phaseRows(phases.find((p) => p.phase === 'http-keepalive')!, 'keep-alive (wrk 1 thread, 64 conns)'),
            ...phaseRows(phases.find((p) => p.phase === 'http-close')!, 'Connection: close'),
            ...phases
              .filter((p) => p.phase.startsWith('http'))
              .map((p) => {
                const d = p.detail as WrkResult;
                return {
                  metric: `${p.phase}: invalid replies / socket errors`,
                  value: `${fmtInt(d.bad)} / ${fmtInt(d.errConnect + d.errRead + d.errWrite + d.errTimeout)}`,
                  note: `p50 ${d.p50Ms.toFixed(2)} ms, p99 ${d.p99Ms.toFixed(2)} ms`,
                };
              }),
          ],
          data: phases.filter((p) => p.phase.startsWith('http')),
        }
      : { name: 'HTTP announce', rows: [], data: null, skipped: 'wrk is not installed (apt-get install wrk)' };
    const udpSection: SectionResult = {
      name: 'UDP announce',
      rows: [
        ...phaseRows(phases.find((p) => p.phase === 'udp')!, 'BEP 15, 4 sockets, 128 outstanding (median of 1-s buckets)'),
        { metric: 'udp: errors / timed out', value: `${fmtInt(udp.result.errors)} / ${fmtInt(udp.result.lost)}` },
      ],
      data: phases.filter((p) => p.phase === 'udp'),
    };
    const pre: SectionResult = {
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
    return [pre, http, udpSection];
  } finally {
    const code = await close();
    if (code !== 0) o.log(`throughput: tracker exited with ${code}`);
  }
}
