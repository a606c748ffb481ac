/**
 * `npm run bench`: tracker throughput (HTTP keep-alive, HTTP one connection per request, UDP), bytes per
 * peer at 1M peers, suite RSS at 340 releases and 20k peers, and hashing throughput. Prints a markdown
 * table and writes bench/out/results.json. Side-by-side ratios against opentracker come from
 * ../shared/bench (see bench/RESULTS.md).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_HELP, parseBenchArgs, type BenchArgs } from './args.js';
import { hashing } from './hashing.js';
import { memoryPerPeer } from './memory.js';
import { hasTool, pinPrefix } from './proc.js';
import { markdownTable, type SectionResult } from './report.js';
import { siteRender } from './site-render.js';
import { suiteRss } from './suite-rss.js';
import { trackerThroughput } from './tracker-throughput.js';
import { storeCompare } from './store-compare.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

let args: BenchArgs;
try {
  args = parseBenchArgs(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(BENCH_HELP);
  process.exit(0);
}

const log = (msg: string): void => {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};
const pinned = pinPrefix(1).length > 0;
const serverCpu = pinned ? 0 : null;
const genCpu = pinned ? 1 : null;
if (!pinned) log('taskset missing or fewer than 2 CPUs: tracker and generators are not pinned');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'suite-bench-'));
const quick = args.quick;
const sections: SectionResult[] = [];
const started = new Date();

async function section(name: string, fn: () => Promise<SectionResult | SectionResult[]>): Promise<void> {
  try {
    const r = await fn();
    sections.push(...(Array.isArray(r) ? r : [r]));
  } catch (err) {
    log(`${name} failed: ${(err as Error).stack ?? String(err)}`);
    sections.push({ name, rows: [], data: null, skipped: `failed: ${(err as Error).message.split('\n')[0]}` });
  }
}

try {
  if (args.only.has('throughput')) {
    if (!hasTool('wrk')) log('wrk is not installed: HTTP phases are skipped (apt-get install wrk)');
    await section('throughput', () =>
      trackerThroughput({ root, tmp, seconds: quick ? 3 : 10, torrents: 1000, peers: 200, serverCpu, genCpu, log }),
    );
  }
  if (args.only.has('memory')) {
    await section('memory', () =>
      memoryPerPeer({ root, tmp, torrents: 1000, peers: quick ? 200 : 1000, seconds: quick ? 30 : 90, serverCpu, genCpu, log }),
    );
  }
  if (args.only.has('suite')) {
    await section('suite RSS', () => suiteRss({ root, tmp, releases: 340, releaseBytes: 64 * 1024, peers: 20_000, genCpu, log }));
  }
  if (args.only.has('site')) {
    await section('site render', () => siteRender({ tmp, releases: 340, log }));
  }
  if (args.only.has('store')) {
    await section('store', () => storeCompare(quick ? 4 : 8));
  }
  if (args.only.has('hash')) {
    await section('hashing', () => hashing(quick ? 256 : 1024, log));
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

const table = markdownTable(sections);
const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? '',
  memGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
  node: process.version,
  kernel: os.release(),
  pinned,
  loadavgAtEnd: os.loadavg(),
};
const header = `Bench ${started.toISOString()} (${quick ? 'quick' : 'full'}), node ${process.version}, ${machine.cpus} CPUs${pinned ? ', tracker on CPU 0, generators on CPU 1' : ', unpinned'}`;
process.stdout.write(`${header}\n\n${table}`);
const outDir = path.join(root, 'bench', 'out');
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(
  path.join(outDir, 'results.json'),
  `${JSON.stringify(
    {
      started: started.toISOString(),
      finished: new Date().toISOString(),
      quick,
      argv: process.argv.slice(2),
      machine,
      sections,
      table,
    },
    null,
    2,
  )}\n`,
);
log(`wrote ${path.join(outDir, 'results.json')}`);
