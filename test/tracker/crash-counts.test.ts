import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { makeTempDir } from '../helpers/temp-dir.js';
import { sleep } from '../helpers/wait.js';
import { startTrackerProcess, type TrackerProcess } from '../helpers/tracker-process.js';
import { cleanUpAfter } from '../helpers/cleanup.js';
import { httpGet } from '../helpers/http-client.js';
import { announceUrl, peerId } from '../helpers/tracker-urls.js';

/**
 * Exactly-once under crashes: a steady stream of completions (each on its own info_hash, open mode, so the
 * feed says exactly which ones got in) while the tracker is killed with SIGKILL at random moments 20 times, then
 * stopped with SIGTERM 5 times, each time restarted on the same data folder. After every restart:
 * - every acknowledged completion (a reply came back) is counted exactly once, in the scrape totals (tpbs)
 *   and in the feed;
 * - a completion sent but not acknowledged is counted once or not at all, never twice;
 * - the feed, read with a cursor as the page does, has one journal id, seqs 1..last without gaps, and an
 *   entry never changes once served.
 */
const { procs, dirs } = cleanUpAfter();

interface Feed {
  journal: string;
  first: number;
  last: number;
  entries: Array<[number, number, string]>;
}

describe('completions survive kill -9 and SIGTERM', () => {
  test('20 kill -9 and 5 SIGTERM under a stream of completions: none lost, none doubled', { timeout: 120000 }, async () => {
    const tmp = makeTempDir('tracker-crash-');
    dirs.push(tmp);
    const seed = Number(process.env['CRASH_SEED'] ?? 20261201);
    let rnd = seed >>> 0;
    const random = (): number => {
      rnd = (Math.imul(rnd, 1664525) + 1013904223) >>> 0;
      return rnd / 2 ** 32;
    };
    // blacklist mode with an empty list: open to every info_hash (the helper always passes a list file)
    const args = ['--flush-interval', '1', '--journal-keep', '2000'];
    const start = async (): Promise<TrackerProcess> => {
      const p = await startTrackerProcess({ dir: tmp.dir, args, binds: ['-i', '127.0.0.1', '-p', '0'], listFlag: '-b' });
      procs.push(p);
      return p;
    };

    const acked = new Set<string>();
    const unacked = new Set<string>();
    let tr = await start();
    let live = true;
    let stop = false;
    let n = 0;
    let inFlight = 0;

    async function worker(w: number): Promise<void> {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      while (!stop) {
        if (!live) {
          await sleep(5);
          continue;
        }
        const hash = crypto.randomBytes(20).toString('hex');
        const port = tr.httpPort;
        const path = announceUrl(hash, {
          peer_id: peerId(`w${w}n${n++}`),
          port: 6881,
          left: 0,
          downloaded: 1,
          event: 'completed',
          numwant: 0,
        });
        inFlight++;
        try {
          const res = await httpGet(port, path, {}, { agent, timeoutMs: 3000 });
          if (res.status === 200 && res.body.toString('latin1').startsWith('d8:complete')) acked.add(hash);
          else unacked.add(hash);
        } catch {
          unacked.add(hash);
        } finally {
          inFlight--;
        }
        await sleep(4); // a steady stream, not a benchmark: the machine is shared
      }
      agent.destroy();
    }

    // the page's side: a cursor into the feed, entries kept by seq
    const seen = new Map<number, string>();
    let journalId: string | null = null;
    let cursor = 0;
    // one read at a time, as one page process would (the poller and the checks share the cursor)
    let feedLock: Promise<unknown> = Promise.resolve();
    function readFeed(port: number): Promise<Feed> {
      const next = feedLock.then(() => readFeedNow(port));
      feedLock = next.catch(() => undefined);
      return next;
    }
    async function readFeedNow(port: number): Promise<Feed> {
      const r = await httpGet(port, `/stats?mode=completions&since=${cursor}&limit=10000`);
      assert.equal(r.status, 200);
      const f = JSON.parse(r.body.toString()) as Feed;
      journalId ??= f.journal;
      assert.equal(f.journal, journalId, 'one journal id for the whole run');
      assert.ok(f.first <= cursor + 1, `history still there: first ${f.first}, cursor ${cursor}`);
      for (const [seq, , hash] of f.entries) {
        assert.equal(seq, cursor + 1, 'no gap in seqs');
        cursor = seq;
        const before = seen.get(seq);
        assert.ok(before === undefined, `seq ${seq} served twice`);
        seen.set(seq, hash);
      }
      return f;
    }
    let polling = true;
    const poller = (async () => {
      while (polling) {
        if (live) await readFeed(tr.httpPort).catch(() => undefined);
        await sleep(50);
      }
    })();

    async function check(round: string): Promise<void> {
      // the stream pauses while the totals are compared, so the feed and the scrape see the same completions
      live = false;
      while (inFlight > 0) await sleep(2);
      try {
        await compare(round);
      } finally {
        live = true;
      }
    }

    async function compare(round: string): Promise<void> {
      // catch up with the feed, then compare it and the counts with what the clients saw
      let f = await readFeed(tr.httpPort);
      while (f.entries.length > 0) f = await readFeed(tr.httpPort);
      assert.equal(cursor, f.last, `${round}: feed read to its end`);
      const txtp = (await httpGet(tr.httpPort, '/stats?mode=tpbs&format=txtp')).body.toString('latin1');
      const counted = new Map<string, number>();
      for (const line of txtp.split('\n')) {
        if (line === '') continue;
        const [h, , , d] = line.split(':');
        counted.set(h!.toLowerCase(), Number(d));
      }
      const inFeed = new Map<string, number>();
      for (const h of seen.values()) inFeed.set(h, (inFeed.get(h) ?? 0) + 1);
      for (const h of acked) {
        assert.equal(counted.get(h), 1, `${round}: acknowledged completion ${h} counted once by the tracker`);
        assert.equal(inFeed.get(h), 1, `${round}: acknowledged completion ${h} once in the feed`);
      }
      for (const [h, c] of counted) {
        assert.ok(c <= 1, `${round}: ${h} counted ${c} times`);
        assert.ok(acked.has(h) || unacked.has(h), `${round}: ${h} was never sent`);
        assert.equal(inFeed.get(h) ?? 0, c, `${round}: feed and counts agree on ${h}`);
      }
      for (const [h, c] of inFeed) assert.ok(c === 1 && counted.get(h) === 1, `${round}: feed entry ${h} x${c} matches the counts`);
    }

    const workers = [0, 1, 2].map((w) => worker(w));
    let inFlightLosses = 0;
    try {
      for (let round = 0; round < 25; round++) {
        await sleep(100 + Math.floor(random() * 500));
        const sigterm = round >= 20;
        const before = unacked.size;
        if (sigterm) {
          const code = await tr.stop('SIGTERM');
          live = false;
          assert.equal(code, 0, 'SIGTERM exits 0 after flushing');
          assert.ok(tr.records().some((r) => /state flushed/.test(String(r.msg))));
        } else {
          live = false;
          await tr.kill9();
        }
        await sleep(30); // let the in-flight requests fail
        inFlightLosses += unacked.size - before;
        tr = await start();
        live = true;
        await check(`round ${round + 1} (${sigterm ? 'SIGTERM' : 'kill -9'})`);
      }
    } finally {
      stop = true;
      await Promise.all(workers);
      polling = false;
      await poller;
    }
    await check('end');
    assert.ok(
      acked.size > 500,
      `a real stream: ${acked.size} acknowledged, ${unacked.size} not (${inFlightLosses} cut by the kills), seed ${seed}`,
    );
  });
});
