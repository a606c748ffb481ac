/**
 * RSS of the whole suite (./bin/suite: bash supervisor + one Node process) at 340 releases and 20,000
 * peers, the model user's 128 MB VPS. Also checks that SIGTERM stops it with exit code 0.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../test/helpers/free-port.js';
import { parseHashList } from './population.js';
import { httpGet, processesInGroup, procStat, rssBytes, sleep, storedPeers } from './proc.js';
import { fmtInt, fmtMiB, type SectionResult } from './report.js';
import type { GenResult } from './udp-gen-types.js';
import { runUdpGen } from './udp-load.js';

export interface SuiteRssOptions {
  readonly root: string;
  readonly tmp: string;
  readonly releases: number;
  readonly releaseBytes: number;
  readonly peers: number;
  readonly genCpu: number | null;
  readonly log: (msg: string) => void;
}

export const SUITE_RSS_GOAL = 128 * 1048576;

function groupRss(pgid: number): number {
  return processesInGroup(pgid).reduce((a, p) => a + (rssBytes(p) ?? 0), 0);
}

interface SuitePaths {
  readonly dir: string;
  readonly dataDir: string;
  readonly releasesDir: string;
  readonly whitelist: string;
}

/** The suite as a detached process group: its group id, the last 20 lines it printed, and its exit. */
interface RunningSuite {
  readonly child: ChildProcess;
  readonly pgid: number;
  readonly tail: string[];
  readonly exited: Promise<number | null>;
  readonly trackerPort: number;
  readonly statsPort: number;
}

type Peak = { node: number; group: number };

function writeReleases(o: SuiteRssOptions): SuitePaths {
  const dir = fs.mkdtempSync(path.join(o.tmp, 'suite-'));
  const paths = {
    dir,
    dataDir: path.join(dir, 'data'),
    releasesDir: path.join(dir, 'releases'),
    whitelist: path.join(dir, 'whitelist'),
  };
  fs.mkdirSync(paths.releasesDir);
  for (let i = 0; i < o.releases; i++)
    fs.writeFileSync(path.join(paths.releasesDir, `release-${String(i).padStart(3, '0')}.bin`), randomBytes(o.releaseBytes));
  return paths;
}

async function spawnSuite(o: SuiteRssOptions, p: SuitePaths): Promise<RunningSuite> {
  const trackerPort = await freePort();
  const statsPort = await freePort();
  const child = spawn('./bin/suite', [], {
    cwd: o.root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PUBLIC_HOST: '127.0.0.1',
      BIND_HOST: '127.0.0.1',
      TRACKER_PORT: String(trackerPort),
      STATS_PORT: String(statsPort),
      DATA_DIR: p.dataDir,
      RELEASES_DIR: p.releasesDir,
      WHITELIST: p.whitelist,
      LOG_LEVEL: 'warn',
    },
  });
  const tail: string[] = [];
  for (const s of [child.stdout!, child.stderr!])
    createInterface({ input: s }).on('line', (l) => {
      tail.push(l);
      if (tail.length > 20) tail.shift();
    });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, pgid: child.pid!, tail, exited, trackerPort, statsPort };
}

/** The Node process is the bash supervisor's child, inside the group. */
function nodePid(pgid: number): number | null {
  return processesInGroup(pgid).find((p) => procStat(p)?.ppid === pgid) ?? null;
}

function nodeRss(pgid: number): number {
  const n = nodePid(pgid);
  return n === null ? 0 : (rssBytes(n) ?? 0);
}

/** Samples the peak RSS every 250 ms into `peak` until the returned timer is cleared. */
function samplePeak(pgid: number, peak: Peak): NodeJS.Timeout {
  return setInterval(() => {
    peak.node = Math.max(peak.node, nodeRss(pgid));
    peak.group = Math.max(peak.group, groupRss(pgid));
  }, 250);
}

/** Waits (at most 240 s) until the whitelist lists every release; returns its hashes and the seconds it took. */
async function waitForPublished(o: SuiteRssOptions, s: RunningSuite, whitelist: string): Promise<{ hashes: Buffer[]; seconds: number }> {
  const t0 = Date.now();
  let hashes: Buffer[] = [];
  o.log(`suite: waiting for ${o.releases} releases to be published`);
  while (Date.now() - t0 < 240_000) {
    if (s.child.exitCode !== null) throw new Error(`the suite exited with ${s.child.exitCode}:\n${s.tail.join('\n')}`);
    try {
      hashes = parseHashList(fs.readFileSync(whitelist, 'utf8'));
    } catch {
      hashes = [];
    }
    if (hashes.length >= o.releases) break;
    await sleep(500);
  }
  const seconds = (Date.now() - t0) / 1000;
  if (hashes.length < o.releases)
    throw new Error(`only ${hashes.length} of ${o.releases} releases published after 240 s:\n${s.tail.join('\n')}`);
  return { hashes, seconds };
}

async function announcePeers(o: SuiteRssOptions, s: RunningSuite, hashesFile: string): Promise<GenResult> {
  o.log(`suite: announcing ${fmtInt(o.peers)} peers`);
  const { result } = await runUdpGen(
    {
      mode: 'preload',
      host: '127.0.0.1',
      port: s.trackerPort,
      hashesFile,
      torrents: o.releases,
      peers: Math.ceil(o.peers / o.releases),
      total: o.peers,
      seconds: 60,
      sockets: 2,
      window: 64,
      numwant: 50,
      seed: 5,
    },
    o.genCpu,
  );
  return result;
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

/** SIGTERM to the supervisor, SIGKILL to the group if it has not exited 20 s later; returns the exit code. */
async function stopSuite(s: RunningSuite): Promise<number | null> {
  process.kill(s.pgid, 'SIGTERM');
  const killer = setTimeout(() => killGroup(s.pgid), 20_000);
  const code = await s.exited;
  clearTimeout(killer);
  return code;
}

interface SuiteFigures {
  readonly releases: number;
  readonly publishSeconds: number;
  readonly stored: Awaited<ReturnType<typeof storedPeers>>;
  readonly announce: GenResult;
  readonly pages: number[];
  readonly nodeRss: number;
  readonly groupRss: number;
  readonly peak: Peak;
  readonly exitCode: number | null;
}

function suiteSection(o: SuiteRssOptions, f: SuiteFigures): SectionResult {
  const goal = `< ${fmtMiB(SUITE_RSS_GOAL)}`;
  return {
    name: 'suite RSS',
    rows: [
      {
        metric: 'releases published',
        value: fmtInt(f.releases),
        note: `${f.publishSeconds.toFixed(0)} s for ${o.releases} x ${o.releaseBytes / 1024} KiB`,
      },
      {
        metric: 'peers stored (/stats?mode=peer)',
        value: f.stored ? fmtInt(f.stored.peers) : 'n/a',
        note: `${fmtInt(f.announce.ok)} announces ok, ${fmtInt(f.announce.errors)} refused`,
      },
      { metric: 'stats page loads', value: f.pages.join(' ') },
      {
        metric: 'RSS of the suite node process',
        value: fmtMiB(f.nodeRss),
        goal,
        pass: f.nodeRss > 0 && f.nodeRss < SUITE_RSS_GOAL,
        note: `peak ${fmtMiB(f.peak.node)}`,
      },
      {
        metric: 'RSS of the process group (bash + node)',
        value: fmtMiB(f.groupRss),
        goal,
        pass: f.groupRss > 0 && f.groupRss < SUITE_RSS_GOAL,
        note: `peak ${fmtMiB(f.peak.group)}`,
      },
      { metric: 'exit code after SIGTERM', value: String(f.exitCode), goal: '0', pass: f.exitCode === 0 },
    ],
    data: f,
  };
}

/** Publishes the releases, announces the peers, loads the page, measures, then stops the suite with SIGTERM. */
async function measureSuite(
  o: SuiteRssOptions,
  p: SuitePaths,
  s: RunningSuite,
  sampler: NodeJS.Timeout,
  peak: Peak,
): Promise<SuiteFigures> {
  const { hashes, seconds: publishSeconds } = await waitForPublished(o, s, p.whitelist);
  await sleep(2000); // the publisher SIGHUPs the tracker after writing the whitelist
  const hashesFile = path.join(p.dir, 'hashes');
  fs.writeFileSync(hashesFile, hashes.map((h) => h.toString('hex')).join('\n'));
  const announce = await announcePeers(o, s, hashesFile);
  const pages: number[] = [];
  for (let i = 0; i < 5; i++) pages.push((await httpGet(`http://127.0.0.1:${s.statsPort}/`)).status);
  await httpGet(`http://127.0.0.1:${s.statsPort}/api/releases`).catch(() => null);
  await sleep(1000);
  const stored = await storedPeers(s.trackerPort);
  const node = nodeRss(s.pgid);
  const group = groupRss(s.pgid);
  clearInterval(sampler);
  const exitCode = await stopSuite(s);
  return { releases: hashes.length, publishSeconds, stored, announce, pages, nodeRss: node, groupRss: group, peak, exitCode };
}

export async function suiteRss(o: SuiteRssOptions): Promise<SectionResult> {
  const p = writeReleases(o);
  const s = await spawnSuite(o, p);
  const peak: Peak = { node: 0, group: 0 };
  const sampler = samplePeak(s.pgid, peak);
  try {
    return suiteSection(o, await measureSuite(o, p, s, sampler, peak));
  } finally {
    clearInterval(sampler);
    if (s.child.exitCode === null && s.child.signalCode === null) {
      killGroup(s.pgid);
      await s.exited;
    }
    fs.rmSync(p.dir, { recursive: true, force: true });
  }
}
