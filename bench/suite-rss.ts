/**
 * RSS of the whole suite (./bin/suite: bash supervisor + one Node process) at 340 releases and 20,000
 * peers, the model user's 128 MB VPS. Also checks that SIGTERM stops it with exit code 0.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../test/helpers/free-port.js';
import { parseHashList } from './population.js';
import { httpGet, processesInGroup, procStat, rssBytes, sleep, storedPeers } from './proc.js';
import { fmtInt, fmtMiB, type SectionResult } from './report.js';
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

export async function suiteRss(o: SuiteRssOptions): Promise<SectionResult> {
  const dir = fs.mkdtempSync(path.join(o.tmp, 'suite-'));
  const dataDir = path.join(dir, 'data');
  const releasesDir = path.join(dir, 'releases');
  const whitelist = path.join(dir, 'whitelist');
  fs.mkdirSync(releasesDir);
  for (let i = 0; i < o.releases; i++)
    fs.writeFileSync(path.join(releasesDir, `release-${String(i).padStart(3, '0')}.bin`), randomBytes(o.releaseBytes));
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
      DATA_DIR: dataDir,
      RELEASES_DIR: releasesDir,
      WHITELIST: whitelist,
      LOG_LEVEL: 'warn',
    },
  });
  const pgid = child.pid!;
  const tail: string[] = [];
  for (const s of [child.stdout!, child.stderr!])
    createInterface({ input: s }).on('line', (l) => {
      tail.push(l);
      if (tail.length > 20) tail.shift();
    });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let peak = { node: 0, group: 0 };
  const nodePid = (): number | null => processesInGroup(pgid).find((p) => procStat(p)?.ppid === pgid) ?? null;
  const sampler = setInterval(() => {
    const n = nodePid();
    peak = { node: Math.max(peak.node, n === null ? 0 : (rssBytes(n) ?? 0)), group: Math.max(peak.group, groupRss(pgid)) };
  }, 250);
  try {
    const t0 = Date.now();
    let hashes: Buffer[] = [];
    o.log(`suite: waiting for ${o.releases} releases to be published`);
    while (Date.now() - t0 < 240_000) {
      if (child.exitCode !== null) throw new Error(`the suite exited with ${child.exitCode}:\n${tail.join('\n')}`);
      try {
        hashes = parseHashList(fs.readFileSync(whitelist, 'utf8'));
      } catch {
        hashes = [];
      }
      if (hashes.length >= o.releases) break;
      await sleep(500);
    }
    const publishSeconds = (Date.now() - t0) / 1000;
    if (hashes.length < o.releases)
      throw new Error(`only ${hashes.length} of ${o.releases} releases published after 240 s:\n${tail.join('\n')}`);
    await sleep(2000); // the publisher SIGHUPs the tracker after writing the whitelist
    const hashesFile = path.join(dir, 'hashes');
    fs.writeFileSync(hashesFile, hashes.map((h) => h.toString('hex')).join('\n'));
    o.log(`suite: announcing ${fmtInt(o.peers)} peers`);
    const perTorrent = Math.ceil(o.peers / o.releases);
    const { result } = await runUdpGen(
      {
        mode: 'preload',
        host: '127.0.0.1',
        port: trackerPort,
        hashesFile,
        torrents: o.releases,
        peers: perTorrent,
        total: o.peers,
        seconds: 60,
        sockets: 2,
        window: 64,
        numwant: 50,
        seed: 5,
      },
      o.genCpu,
    );
    const pages: number[] = [];
    for (let i = 0; i < 5; i++) pages.push((await httpGet(`http://127.0.0.1:${statsPort}/`)).status);
    await httpGet(`http://127.0.0.1:${statsPort}/api/releases`).catch(() => null);
    await sleep(1000);
    const stored = await storedPeers(trackerPort);
    const n = nodePid();
    const nodeRss = n === null ? 0 : (rssBytes(n) ?? 0);
    const group = groupRss(pgid);
    clearInterval(sampler);
    process.kill(pgid, 'SIGTERM');
    const killer = setTimeout(() => {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, 20_000);
    const code = await exited;
    clearTimeout(killer);
    const goal = `< ${fmtMiB(SUITE_RSS_GOAL)}`;
    return {
      name: 'suite RSS',
      rows: [
        {
          metric: 'releases published',
          value: fmtInt(hashes.length),
          note: `${publishSeconds.toFixed(0)} s for ${o.releases} x ${o.releaseBytes / 1024} KiB`,
        },
        {
          metric: 'peers stored (/stats?mode=peer)',
          value: stored ? fmtInt(stored.peers) : 'n/a',
          note: `${fmtInt(result.ok)} announces ok, ${fmtInt(result.errors)} refused`,
        },
        { metric: 'stats page loads', value: pages.join(' ') },
        {
          metric: 'RSS of the suite node process',
          value: fmtMiB(nodeRss),
          goal,
          pass: nodeRss > 0 && nodeRss < SUITE_RSS_GOAL,
          note: `peak ${fmtMiB(peak.node)}`,
        },
        {
          metric: 'RSS of the process group (bash + node)',
          value: fmtMiB(group),
          goal,
          pass: group > 0 && group < SUITE_RSS_GOAL,
          note: `peak ${fmtMiB(peak.group)}`,
        },
        { metric: 'exit code after SIGTERM', value: String(code), goal: '0', pass: code === 0 },
      ],
      data: { releases: hashes.length, publishSeconds, stored, announce: result, pages, nodeRss, groupRss: group, peak, exitCode: code },
    };
  } finally {
    clearInterval(sampler);
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        /* gone */
      }
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
