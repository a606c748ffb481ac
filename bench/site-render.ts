/**
 * Server-side render time of the public site with 340 releases (the model publisher's catalog): the pure
 * renderers in a loop, then GET / and GET /release/<hash> over HTTP on a running stats app (which
 * re-renders every request that does not carry a matching ETag).
 */
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createLogger } from '../libs/common/src/log.js';
import type { Manifest, ManifestRelease } from '../libs/common/src/manifest.js';
import { parseStatsConfig, type StatsConfig } from '../apps/stats/src/config.js';
import { renderAtomFeed } from '../apps/stats/src/feed.js';
import { listPage, parseListQuery } from '../apps/stats/src/list-query.js';
import { lastDays } from '../apps/stats/src/format.js';
import { siteTotals, type ReleaseView } from '../apps/stats/src/release-view.js';
import { renderIndexPage, renderReleasePage } from '../apps/stats/src/render-pages.js';
import { startStats } from '../apps/stats/src/stats-app.js';
import type { Row, SectionResult } from './report.js';

export interface SiteRenderOptions {
  readonly tmp: string;
  readonly releases: number;
  readonly log: (msg: string) => void;
}

const hex = (i: number): string => i.toString(16).padStart(8, '0').repeat(5);

function views(n: number): ReleaseView[] {
  const t0 = Date.UTC(2024, 0, 1);
  return Array.from({ length: n }, (_, i) => ({
    infoHash: hex(i + 1),
    name: `project-${Math.floor(i / 10)}.${i % 10}.0-linux-x86_64.tar.gz`,
    known: true,
    size: 50_000_000 + i * 1234,
    publishedAt: new Date(t0 + i * 86_400_000).toISOString(),
    removedAt: null,
    downloads: (i * 7919) % 100_000,
    seeders: i % 17,
    leechers: i % 5,
    firstSeen: t0,
    torrentPath: `/torrents/project-${i}.torrent`,
    magnet: `magnet:?xt=urn:btih:${hex(i + 1)}&dn=x&tr=http%3A%2F%2Ft%2Fannounce`,
    filePath: `/files/project-${i}.tar.gz`,
    sha256: 'ab'.repeat(32),
    downloadsBitTorrent: i,
    downloadsDirect: i * 2,
  }));
}

/** Median and 95th percentile in ms of `runs` calls. */
function time(runs: number, fn: () => unknown): { median: number; p95: number } {
  for (let i = 0; i < 5; i++) fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(runs / 2)]!, p95: ms[Math.floor(runs * 0.95)]! };
}

async function timeHttp(url: string, runs: number): Promise<{ median: number; p95: number; bytes: number }> {
  let bytes = 0;
  for (let i = 0; i < 5; i++) bytes = (await (await fetch(url)).text()).length;
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = await fetch(url);
    await r.text();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(runs / 2)]!, p95: ms[Math.floor(runs * 0.95)]!, bytes };
}

const f1 = (n: number): string => `${n.toFixed(2)} ms`;

type Timing = { median: number; p95: number };
type HttpTiming = Timing & { bytes: number };
type PureTimings = Record<'home' | 'homeSearchSorted' | 'release' | 'feed', Timing>;
type HttpTimings = Record<'healthz' | 'home' | 'homeSearchSorted' | 'release' | 'feed', HttpTiming>;

/** The pure renderers in a loop, on the same inputs the stats app would build. */
function pureRenders(all: ReleaseView[]): PureTimings {
  const totals = siteTotals(all);
  const chart = lastDays(Date.UTC(2024, 11, 31), 30).map((date, i) => ({ date, downloads: i * 13 }));
  const status = { lastSuccessAt: Date.UTC(2024, 11, 31), lastAttemptAt: Date.UTC(2024, 11, 31), lastError: null };
  const home = (query: Record<string, string>): string => {
    const q = parseListQuery(query);
    return renderIndexPage({ title: 'Bench', releases: all, totals, chart, status, query: q, list: listPage(all, q) });
  };
  const history = chart.slice(0, 20);
  const yearChart = lastDays(Date.UTC(2024, 11, 31), 365).map((date, i) => ({ date, downloads: i % 40 }));
  return {
    home: time(200, () => home({})),
    homeSearchSorted: time(200, () => home({ q: 'project-1', sort: 'downloads' })),
    release: time(200, () => renderReleasePage({ title: 'Bench', release: all[0]!, chart: yearChart, history, status })),
    feed: time(200, () => renderAtomFeed({ title: 'Bench', baseUrl: 'https://dl.example', releases: all, fallbackUpdated: 0 })),
  };
}

/** A manifest listing the releases in `dir`, and the stats app's config to serve it. */
function statsConfigFor(dir: string, all: ReleaseView[]): StatsConfig {
  const rels: ManifestRelease[] = all.map((v, i) => ({
    name: v.name,
    path: `project-${i}.tar.gz`,
    size: v.size!,
    infoHash: v.infoHash,
    magnet: v.magnet,
    pieceLength: 262_144,
    publishedAt: v.publishedAt!,
    sha256: v.sha256!,
    torrent: `project-${i}.torrent`,
    removedAt: null,
  }));
  fs.mkdirSync(path.join(dir, 'torrents'));
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: 1, releases: rels } satisfies Manifest));
  const args = parseStatsConfig(
    [
      '--host',
      '127.0.0.1',
      '--port',
      '0',
      '--poll-interval',
      '86400',
      '--tracker-stats-url',
      'http://127.0.0.1:9/stats',
      '--manifest',
      path.join(dir, 'manifest.json'),
      '--torrents',
      path.join(dir, 'torrents'),
      '--releases',
      path.join(dir, 'releases'),
      '--db',
      path.join(dir, 'stats.sqlite'),
    ],
    { env: {}, cwd: dir },
  );
  if (args.kind !== 'config') throw new Error('unexpected help');
  return args.config;
}

// Over HTTP: a real stats app reading a 340-release manifest (no tracker to poll: the poll fails quietly).
async function httpRenders(o: SiteRenderOptions, all: ReleaseView[]): Promise<HttpTimings> {
  const dir = fs.mkdtempSync(path.join(o.tmp, 'site-'));
  const app = await startStats(statsConfigFor(dir, all), createLogger('stats', 'silent'));
  try {
    const base = `http://127.0.0.1:${app.port}`;
    return {
      healthz: await timeHttp(`${base}/healthz`, 100),
      home: await timeHttp(`${base}/`, 100),
      homeSearchSorted: await timeHttp(`${base}/?q=project-1&sort=downloads`, 100),
      release: await timeHttp(`${base}/release/${all[0]!.infoHash}`, 100),
      feed: await timeHttp(`${base}/feed.xml`, 100),
    };
  } finally {
    await app.close();
  }
}

const medianP95 = (t: Timing): string => `${f1(t.median)} / ${f1(t.p95)}`;
const kib = (b: number): string => `${(b / 1024).toFixed(0)} KiB`;

function siteRows(o: SiteRenderOptions, pure: PureTimings, http: HttpTimings): Row[] {
  const renderer = (metric: string, t: Timing) => ({ metric, value: medianP95(t), note: 'pure renderer' });
  const overHttp = (metric: string, t: HttpTiming) => ({ metric, value: medianP95(t), note: kib(t.bytes) });
  return [
    renderer(`home page render, ${o.releases} releases (first page of 50), median / p95`, pure.home),
    renderer('home page, search + sort by downloads, median / p95', pure.homeSearchSorted),
    renderer('release page with a 365-day chart, median / p95', pure.release),
    renderer(`Atom feed (${Math.min(100, o.releases)} entries), median / p95`, pure.feed),
    { metric: 'GET /healthz over HTTP (the HTTP round trip alone), median / p95', value: medianP95(http.healthz) },
    overHttp('GET / over HTTP (loopback), median / p95', http.home),
    overHttp('GET /?q=…&sort=downloads over HTTP, median / p95', http.homeSearchSorted),
    overHttp('GET /release/<hash> over HTTP, median / p95', http.release),
    overHttp('GET /feed.xml over HTTP, median / p95', http.feed),
  ];
}

export async function siteRender(o: SiteRenderOptions): Promise<SectionResult> {
  const all = views(o.releases);
  const pure = pureRenders(all);
  o.log(`site: pure renders ${JSON.stringify(pure)}`);
  const http = await httpRenders(o, all);
  o.log(`site: over HTTP ${JSON.stringify(http)}`);
  return { name: 'site render', rows: siteRows(o, pure, http), data: { releases: o.releases, pure, http } };
}
