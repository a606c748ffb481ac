import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../helpers/repo-paths.js';
import { getText, isOk } from '../helpers/http-client.js';
import { sleep } from '../helpers/wait.js';
import { freePort } from '../helpers/free-port.js';
import { hexBytes, pctEncode } from '../helpers/tracker-urls.js';
import { mulberry32 } from '../helpers/seeded-random.js';
import { loopbackTrackerArgs } from '../helpers/tracker-args.js';
import { stopChild } from '../helpers/stop-child.js';
import { loopbackStatsArgs } from '../helpers/stats-args.js';

/**
 * Exactly-once from tracker to page with real processes: our tracker (completion journal + feed) and the
 * real page (SQLite), a steady stream of completions, and 20 kills (-9 and SIGTERM) of the tracker, the
 * page or both at random moments. After each round the stream pauses and we check:
 *   acknowledged <= journaled <= sent   (the tracker lost no acknowledged completion)
 *   page total == journaled             (the page counted each journaled completion exactly once)
 * A completion sent but not answered (in flight at a kill) may or may not be journaled; the check
 * reads the tracker's own journal length for it instead of guessing.
 */

const HASH = 'c0ffee'.padEnd(40, '7');

async function waitFor<T>(what: string, fn: () => Promise<T | null>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test('kill -9 and SIGTERM of tracker, page or both under a stream of completions: page total == journaled, none acknowledged lost', {
  timeout: 150_000,
}, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kill-counts-'));
  const wl = path.join(dir, 'whitelist');
  fs.writeFileSync(wl, `${HASH}\n`);
  const tport = await freePort();
  let sport = await freePort();
  while (sport === tport) sport = await freePort();
  const trackerBase = `http://127.0.0.1:${tport}`;
  const pageBase = `http://127.0.0.1:${sport}`;
  let tracker: ChildProcess | null = null;
  let page: ChildProcess | null = null;

  // both apps silent but for errors; a start is done once the app answers 200 on its probe URL
  const spawnApp = (app: 'tracker' | 'stats', args: string[]): ChildProcess =>
    spawn(path.join(REPO_ROOT, 'bin', app), [...args, '--log-level', 'error'], { stdio: 'ignore' });
  const answers = (what: string, url: string): Promise<boolean> =>
    waitFor(what, async () => (isOk(await getText(url, 500)) ? true : null), 15_000);
  const startTracker = async (): Promise<void> => {
    tracker = spawnApp('tracker', [
      ...loopbackTrackerArgs({ whitelist: wl, port: tport, stateFile: path.join(dir, 'tracker.state') }),
      '--journal-file',
      path.join(dir, 'tracker.journal'),
      '--completions-per-address',
      '15',
    ]);
    await answers('tracker', `${trackerBase}/stats?mode=completions&since=0&limit=1`);
  };
  const startPage = async (): Promise<void> => {
    page = spawnApp('stats', [
      ...loopbackStatsArgs({
        port: sport,
        pollSeconds: 1,
        trackerStatsUrl: `${trackerBase}/stats?mode=tpbs&format=txtp`,
        manifest: path.join(dir, 'manifest.json'),
        torrents: path.join(dir, 'torrents'),
        releases: path.join(dir, 'releases'),
        db: path.join(dir, 'stats.sqlite'),
      }),
      '--count-source',
      'feed',
    ]);
    await answers('page', `${pageBase}/healthz`);
  };
  const stop = async (p: ChildProcess | null, sig: NodeJS.Signals): Promise<void> => {
    if (p !== null) await stopChild(p, sig, 5_000);
  };
  const journaled = async (): Promise<number> => {
    const r = await waitFor(
      'feed',
      async () => {
        const x = await getText(`${trackerBase}/stats?mode=completions&since=0&limit=1`);
        return isOk(x) ? x : null;
      },
      5_000,
    );
    return (JSON.parse(r.body) as { last: number }).last;
  };
  const pageTotal = async (): Promise<number | null> => {
    const r = await getText(`${pageBase}/api/releases`);
    if (!isOk(r)) return null;
    return (JSON.parse(r.body) as { infoHash: string; downloads: number }[]).find((x) => x.infoHash === HASH)?.downloads ?? 0;
  };

  // The stream: 3 workers, each completion from a new peer_id, port and loopback address (the tracker
  // counts at most 15 per address per release).
  let sent = 0;
  let acked = 0;
  let paused = false;
  let running = true;
  let inflight = 0;
  let n = 0;
  const worker = async (): Promise<void> => {
    while (running) {
      if (paused) {
        await sleep(10);
        continue;
      }
      const i = n++;
      const peer = `-KT0001-${String(i).padStart(12, '0')}`;
      sent++;
      inflight++;
      const r = await getText(
        `${trackerBase}/announce?info_hash=${pctEncode(hexBytes(HASH))}&peer_id=${peer}&port=${1024 + (i % 60000)}` +
          '&uploaded=0&downloaded=1000&left=0&event=completed&compact=1',
        1000,
        `127.1.${(i >> 8) & 0xff}.${i & 0xff}`,
      );
      inflight--;
      if (isOk(r) && r.body.includes('8:interval')) acked++;
      else await sleep(20);
    }
  };

  const rand = mulberry32(20261201);
  const figures: string[] = [];
  let lastTotal = 0;
  try {
    await startTracker();
    await startPage();
    const workers = [worker(), worker(), worker()];
    const rounds = 20;
    for (let round = 0; round < rounds; round++) {
      const target = (['tracker', 'page', 'both'] as const)[round % 3]!;
      const sig: NodeJS.Signals = round % 2 === 0 ? 'SIGKILL' : 'SIGTERM';
      await sleep(150 + Math.floor(rand() * 500));
      if (target !== 'page') await stop(tracker, sig);
      if (target !== 'tracker') await stop(page, sig);
      if (target !== 'page') await startTracker();
      if (target !== 'tracker') await startPage();
      await sleep(100 + Math.floor(rand() * 200));
      paused = true;
      while (inflight > 0) await sleep(5);
      const j = await journaled();
      assert.ok(acked <= j, `round ${round} (${target} ${sig}): ${acked} acknowledged but only ${j} journaled`);
      assert.ok(j <= sent, `round ${round}: ${j} journaled but only ${sent} sent`);
      const total = await waitFor(
        `page total ${j}`,
        async () => {
          const t = await pageTotal();
          assert.ok(t === null || t <= j, `round ${round} (${target} ${sig}): page shows ${t}, more than the ${j} journaled`);
          return t === j ? t : null;
        },
        10_000,
      );
      assert.ok(total >= lastTotal, 'the total never goes down');
      lastTotal = total;
      figures.push(`${round}:${target}/${sig === 'SIGKILL' ? '9' : 'TERM'} sent=${sent} acked=${acked} journaled=${j} page=${total}`);
      paused = false;
    }
    running = false;
    await Promise.all(workers);
    assert.ok(acked > 100, `a real stream: ${acked} acknowledged`);
    if (process.env['KILL_FIGURES']) process.stdout.write(figures.join('\n') + '\n');
  } finally {
    running = false;
    await stop(page, 'SIGKILL');
    await stop(tracker, 'SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
