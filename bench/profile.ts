/**
 * CPU profile of the tracker under one bench load (a tool for finding hot spots, not part of `npm run bench`):
 *   node dist/bench/profile.js [--load http-keepalive|http-close|udp|preload] [--seconds 10] [--top 30] [--no-inline]
 * Starts ./dist/apps/tracker with node --cpu-prof on the server CPU, preloads 1,000 x 200 peers over UDP
 * (unless --load preload, which profiles the preload itself), runs the load, stops the tracker (SIGTERM,
 * so the profile is written) and prints the functions with the most self time, with file:line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';
import { runWrk } from './http-load.js';
import { whitelistText } from './population.js';
import { pinPrefix, startTracker } from './proc.js';
import { runUdpGen } from './udp-load.js';

interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  readonly hitCount?: number;
}
interface CpuProfile {
  readonly nodes: CpuProfileNode[];
  readonly startTime: number;
  readonly samples: number[];
  readonly timeDeltas: number[];
}

export interface SelfTime {
  readonly name: string;
  readonly where: string;
  readonly ms: number;
  readonly pct: number;
}

/** Self time per function (summed over the profile's nodes for the same function and location). */
export function selfTimes(p: CpuProfile, root: string, fromUs = -Infinity, toUs = Infinity): SelfTime[] {
  const byNode = new Map<number, number>();
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    const d = p.timeDeltas[i] ?? 0;
    t += d;
    if (t < fromUs || t > toUs) continue;
    const id = p.samples[i]!;
    byNode.set(id, (byNode.get(id) ?? 0) + d);
  }
  const agg = new Map<string, { name: string; where: string; us: number }>();
  let total = 0;
  for (const n of p.nodes) {
    const us = byNode.get(n.id) ?? 0;
    total += us;
    const f = n.callFrame;
    const where = locate(f.url, f.lineNumber, f.columnNumber, root);
    const name = f.functionName || '(anonymous)';
    const key = `${name}@${where}`;
    const a = agg.get(key) ?? { name, where, us: 0 };
    a.us += us;
    agg.set(key, a);
  }
  return [...agg.values()]
    .sort((a, b) => b.us - a.us)
    .map((a) => ({ name: a.name, where: a.where, ms: a.us / 1000, pct: total > 0 ? (100 * a.us) / total : 0 }));
}

interface TreeNode extends CpuProfileNode {
  readonly children?: number[];
}

/**
 * Busy time by area: our code by file (a frame under one of our functions counts for that file, so a
 * socket call made by http-wire.ts is http-wire's cost), Node's own code by module, GC and (program) apart.
 */
export function areaTimes(p: CpuProfile, fromUs = -Infinity, toUs = Infinity): Array<{ area: string; us: number }> {
  const nodes = new Map<number, TreeNode>(p.nodes.map((n) => [n.id, n as TreeNode]));
  const parent = new Map<number, number>();
  for (const n of nodes.values()) for (const c of n.children ?? []) parent.set(c, n.id);
  const agg = new Map<string, number>();
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    const d = p.timeDeltas[i] ?? 0;
    t += d;
    if (t < fromUs || t > toUs) continue;
    const area = areaOf(p.samples[i]!, nodes, parent);
    if (area !== null) agg.set(area, (agg.get(area) ?? 0) + d);
  }
  return [...agg].map(([area, us]) => ({ area, us })).sort((a, b) => b.us - a.us);
}

function areaOf(id: number, nodes: Map<number, TreeNode>, parent: Map<number, number>): string | null {
  const f = nodes.get(id)!.callFrame;
  if (f.functionName === '(idle)') return null;
  if (f.functionName === '(garbage collector)' || f.functionName === '(program)') return f.functionName;
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const m = /\/((?:apps|libs)\/[\w-]+)\/src\/([\w-]+)\.js/.exec(nodes.get(cur)!.callFrame.url);
    if (m) return `${m[1]}/${m[2]}`;
  }
  return `node ${f.url.replace(/^node:(internal\/)?/, '') || f.functionName}`;
}

const maps = new Map<string, SourceMap | null>();

/** file:line of a profile frame, mapped back to the TypeScript source when the .js.map is there. */
function locate(url: string, line: number, column: number, root: string): string {
  if (!url.startsWith('file://')) return url ? `${url}:${line + 1}` : '';
  const js = fileURLToPath(url);
  if (!maps.has(js)) {
    try {
      maps.set(js, new SourceMap(JSON.parse(fs.readFileSync(`${js}.map`, 'utf8')) as never));
    } catch {
      maps.set(js, null);
    }
  }
  const m = maps.get(js);
  const e = m?.findEntry(line, column) as { originalSource?: string; originalLine?: number } | undefined;
  if (e?.originalSource !== undefined && e.originalLine !== undefined) {
    const src = e.originalSource.startsWith('file://') ? fileURLToPath(e.originalSource) : path.resolve(path.dirname(js), e.originalSource);
    return `${path.relative(root, src)}:${e.originalLine + 1}`;
  }
  return `${path.relative(root, js)}:${line + 1}`;
}

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return (i >= 0 ? process.argv[i + 1] : undefined) ?? dflt;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const load = arg('--load', 'http-keepalive');
  const seconds = Number(arg('--seconds', '10'));
  const top = Number(arg('--top', '30'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tracker-prof-'));
  const whitelist = path.join(dir, 'whitelist');
  fs.writeFileSync(whitelist, whitelistText(1000));
  const pinned = pinPrefix(1).length > 0;
  const tracker = await startTracker({
    root,
    whitelist,
    stateFile: path.join(dir, 'state'),
    cpu: pinned ? 0 : null,
    // --no-inline: attribute self time to the functions V8 would inline (slower, but shows where time goes)
    nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir, ...(process.argv.includes('--no-inline') ? ['--no-turbo-inlining'] : [])],
  });
  const genCpu = pinned ? 1 : null;
  let fromUs = -Infinity;
  let toUs = Infinity;
  let requests = 0;
  try {
    const pre = {
      mode: 'preload' as const,
      host: '127.0.0.1',
      port: tracker.udpPort,
      hashesFile: whitelist,
      torrents: 1000,
      peers: 200,
      seconds: 90,
      sockets: 4,
      window: 128,
      numwant: 0,
      seed: 1,
    };
    if (load !== 'preload') await runUdpGen(pre, genCpu);
    process.stderr.write(`profiling ${load} for ${seconds} s\n`);
    // V8's profile clock and hrtime are both CLOCK_MONOTONIC: only samples inside the load are counted
    fromUs = Number(process.hrtime.bigint() / 1000n);
    if (load === 'preload') await runUdpGen(pre, genCpu);
    else if (load === 'udp') requests = (await runUdpGen({ ...pre, mode: 'load', seconds, numwant: 50, seed: 9 }, genCpu)).result.ok;
    else
      requests = (
        await runWrk(
          {
            port: tracker.httpPort,
            hashesFile: whitelist,
            torrents: 1000,
            peers: 200,
            seconds,
            connections: 64,
            close: load === 'http-close',
            numwant: 50,
          },
          genCpu,
        )
      ).ok;
    toUs = Number(process.hrtime.bigint() / 1000n);
  } finally {
    await tracker.stop();
  }
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}: ${tracker.tail.join('\n')}`);
  const keep = path.join(root, 'bench', 'out', `tracker-${load}${process.argv.includes('--no-inline') ? '-noinline' : ''}.cpuprofile`);
  fs.mkdirSync(path.dirname(keep), { recursive: true });
  fs.copyFileSync(path.join(dir, file), keep);
  const rows = selfTimes(JSON.parse(fs.readFileSync(keep, 'utf8')) as CpuProfile, root, fromUs, toUs);
  process.stdout.write(
    `self time under ${load} (profile: ${path.relative(root, keep)})\n\n| self % | self ms | function | where |\n| ---: | ---: | --- | --- |\n`,
  );
  for (const r of rows.slice(0, top)) process.stdout.write(`| ${r.pct.toFixed(1)} | ${r.ms.toFixed(0)} | ${r.name} | ${r.where} |\n`);
  const areas = areaTimes(JSON.parse(fs.readFileSync(keep, 'utf8')) as CpuProfile, fromUs, toUs);
  const busy = areas.reduce((s, a) => s + a.us, 0);
  process.stdout.write(
    `\nper area (self time of the frames below it; ${requests} ok requests, ${requests > 0 ? (busy / requests).toFixed(1) : '?'} µs of busy JS+native thread per request, kernel time outside calls not included)\n\n| area | ms | µs/request |\n| --- | ---: | ---: |\n`,
  );
  for (const a of areas)
    process.stdout.write(`| ${a.area} | ${(a.us / 1000).toFixed(0)} | ${requests > 0 ? (a.us / requests).toFixed(2) : ''} |\n`);
  fs.rmSync(dir, { recursive: true, force: true });
}
