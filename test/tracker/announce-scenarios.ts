import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import Client from 'bittorrent-tracker/client';
import type { ScrapeData, UpdateData } from 'bittorrent-tracker/client';
import { collectPeers, nextEvent } from '../helpers/client-events.js';
import { waitUntil } from '../helpers/wait.js';
import type { TransportClient } from '../helpers/transport-client.js';
import { NOT_AUTHORIZED, peerId } from '../helpers/tracker-urls.js';

/**
 * Announce and scrape scenarios that mean the same over HTTP and over UDP (BEP 3 / BEP 15): written once
 * here, run for each transport by transport-scenarios.test.ts. What only one transport has (HTTP headers,
 * bencoding details, UDP connection ids, BEP 15 error packets) stays in http.test.ts and udp.test.ts.
 */

export interface ScenarioContext {
  readonly tc: TransportClient;
  /** The i-th whitelisted hash reserved for this scenario. */
  hash(i: number): string;
  /** A hash that is not on the whitelist. */
  readonly notListed: string;
}

export interface Scenario {
  readonly name: string;
  /** How many whitelisted hashes the scenario uses (fresh ones, so scenarios cannot see each other's peers). */
  readonly listed: number;
  run(ctx: ScenarioContext, t: TestContext): Promise<void>;
}

function trackerClient(ctx: ScenarioContext, hash: string, tag: string, port: number): Client {
  return new Client({ infoHash: hash, peerId: peerId(tag).toString('hex'), announce: [ctx.tc.clientAnnounceUrl], port });
}

async function scrapeOne(ctx: ScenarioContext, hash: string): Promise<{ seeders: number; completed: number; leechers: number }> {
  const [row] = await ctx.tc.scrape([hash]);
  assert.ok(row);
  return row;
}

async function twoClients(ctx: ScenarioContext, t: TestContext): Promise<void> {
  const { tc } = ctx;
  const h = ctx.hash(0);
  const a = trackerClient(ctx, h, 'clientA', 6881);
  const b = trackerClient(ctx, h, 'clientB', 6882);
  t.after(() => {
    a.destroy();
    b.destroy();
  });
  const peersA = collectPeers(a);
  const peersB = collectPeers(b);

  const ua = nextEvent<UpdateData>(a, 'update');
  a.start(tc.clientLeecherOpts);
  const uav = await ua;
  assert.deepEqual([uav.complete, uav.incomplete], [0, 1]);

  const ub = nextEvent<UpdateData>(b, 'update');
  b.start(tc.clientLeecherOpts);
  assert.equal((await ub).incomplete, 2);
  await waitUntil(() => peersB.has('127.0.0.1:6881'), 3000, 25, 'B to learn A');
  assert.ok(!peersB.has('127.0.0.1:6882'), 'B must not be given itself');

  const ua2 = nextEvent<UpdateData>(a, 'update');
  a.update(tc.clientLeecherOpts);
  await ua2;
  await waitUntil(() => peersA.has('127.0.0.1:6882'), 3000, 25, 'A to learn B');
  assert.ok(!peersA.has('127.0.0.1:6881'), 'A must not be given itself');

  const uc = nextEvent<UpdateData>(b, 'update');
  b.complete({ left: 0 });
  assert.equal((await uc).complete, 1);

  const sa = nextEvent<ScrapeData>(a, 'scrape');
  a.scrape();
  const s = await sa;
  assert.deepEqual([s.complete, s.incomplete, s.downloaded], [1, 1, 1]);

  const uc2 = nextEvent<UpdateData>(b, 'update');
  b.complete({ left: 0 });
  await uc2;
  assert.deepEqual(await scrapeOne(ctx, h), { seeders: 1, completed: 1, leechers: 1 }, 'a repeated completed must not count again');

  const us = nextEvent<UpdateData>(b, 'update');
  b.stop({ left: 0 });
  await us;
  assert.deepEqual(await scrapeOne(ctx, h), { seeders: 0, completed: 1, leechers: 1 });
  const sa2 = nextEvent<ScrapeData>(a, 'scrape');
  a.scrape();
  const s2 = await sa2;
  assert.deepEqual([s2.complete, s2.incomplete, s2.downloaded], [0, 1, 1]);
  const seen = await tc.announce({ hash: h, port: 6999, left: 5n });
  assert.deepEqual(seen.peers, ['127.0.0.1:6881'], 'the stopped peer is gone from peer lists');
}

async function clientNotListed(ctx: ScenarioContext, t: TestContext): Promise<void> {
  const c = trackerClient(ctx, ctx.notListed, 'clientC', 6883);
  t.after(() => c.destroy());
  const errors: Error[] = [];
  c.on('error', (e: Error) => errors.push(e));
  const w = nextEvent<Error>(c, 'warning');
  c.start(ctx.tc.clientLeecherOpts);
  assert.equal((await w).message, NOT_AUTHORIZED);
  assert.deepEqual(errors, [], 'bittorrent-tracker reports failure reasons as warnings, not errors');
}

async function refusedWhenNotListed({ tc, hash, notListed }: ScenarioContext): Promise<void> {
  assert.equal(await tc.refusal({ hash: notListed, port: 7009, left: 0n }), NOT_AUTHORIZED);
  // the tracker keeps serving listed torrents
  assert.deepEqual((await tc.announce({ hash: hash(0), port: 6999, left: 1n })).peers, []);
}

/** Checks the download count by scrape, and in the announce reply itself where the transport has one. */
async function assertDownloads(ctx: ScenarioContext, o: { downloaded: number | null }, want: number, why: string): Promise<void> {
  if (ctx.tc.repliesCarryDownloaded) assert.equal(o.downloaded, want, `announce reply: ${why}`);
  assert.equal((await scrapeOne(ctx, ctx.hash(0))).completed, want, `scrape: ${why}`);
}

async function counting(ctx: ScenarioContext): Promise<void> {
  const { tc } = ctx;
  const h = ctx.hash(0);
  const first = await tc.announce({ hash: h, port: 6881, left: 1000n, event: 'started' });
  assert.deepEqual([first.leechers, first.seeders, first.peers], [1, 0, []], 'the requester is not returned to itself');

  const second = await tc.announce({ hash: h, port: 6882, left: 0n, event: 'completed' });
  assert.deepEqual([second.leechers, second.seeders, second.peers], [1, 1, ['127.0.0.1:6881']]);
  await assertDownloads(ctx, second, 1, 'event=completed with left=0 counts');
  assert.deepEqual(await scrapeOne(ctx, h), { seeders: 1, completed: 1, leechers: 1 });

  const initialSeeder = await tc.announce({ hash: h, port: 6883, left: 0n });
  await assertDownloads(ctx, initialSeeder, 1, 'a seeder without event=completed is an initial seeder, not a download');
  const leecherFinishes = await tc.announce({ hash: h, port: 6881, left: 0n });
  await assertDownloads(ctx, leecherFinishes, 2, 'a known leecher that reports left=0 has finished, even without event=completed');
  const again = await tc.announce({ hash: h, port: 6881, left: 0n, event: 'completed' });
  await assertDownloads(ctx, again, 2, 'and its later completed is not counted again');
  await tc.announce({ hash: h, port: 6884, left: 1000n, event: 'started' });
  const completes = await tc.announce({ hash: h, port: 6884, left: 0n, event: 'completed' });
  await assertDownloads(ctx, completes, 3, 'a leecher that sends completed is counted');
  const repeat = await tc.announce({ hash: h, port: 6884, left: 0n, event: 'completed' });
  await assertDownloads(ctx, repeat, 3, 'once');
  assert.deepEqual(await scrapeOne(ctx, h), { seeders: 4, completed: 3, leechers: 0 });

  const stopped = await tc.announce({ hash: h, port: 6881, left: 0n, event: 'stopped' });
  assert.deepEqual(stopped.peers, [], 'a stopped reply carries no peers');
  tc.assertNoPeerBytes(stopped);
  assert.deepEqual(await scrapeOne(ctx, h), { seeders: 3, completed: 3, leechers: 0 });
  await tc.announce({ hash: h, port: 6881, left: 1000n, event: 'started' });
  await tc.announce({ hash: h, port: 6881, left: 0n, event: 'completed' });
  assert.equal((await scrapeOne(ctx, h)).completed, 3, 'stop/start/completed from the same client is not counted again');
}

async function intervalJitter({ tc, hash }: ScenarioContext): Promise<void> {
  const intervals = new Set<number>();
  for (let i = 0; i < 20; i++) {
    const r = await tc.announce({ hash: hash(0), port: 6881, left: 1000n });
    assert.ok(r.interval >= 1620 && r.interval <= 1980, `interval ${r.interval}`);
    assert.deepEqual(r.peers, []);
    intervals.add(r.interval);
  }
  assert.ok(intervals.size > 1, 'interval is jittered per reply');
}

async function leftIs64Bit(ctx: ScenarioContext): Promise<void> {
  const { tc } = ctx;
  const h = ctx.hash(0);
  await tc.announce({ hash: h, port: 7100, left: 0n });
  await tc.announce({ hash: h, port: 7101, left: 5n });
  const before = await scrapeOne(ctx, h);
  await tc.announce({ hash: h, port: 7103, left: 4294967296n });
  await tc.announce({ hash: h, port: 7104, left: 18446744073709551615n });
  await tc.announce({ hash: h, port: 7105, left: 9007199254740993n });
  const after = await scrapeOne(ctx, h);
  assert.equal(after.leechers - before.leechers, 3);
  assert.equal(after.seeders, before.seeders);
}

async function numwant(ctx: ScenarioContext): Promise<void> {
  const { tc } = ctx;
  const h = ctx.hash(0);
  await tc.announceMany(Array.from({ length: 230 }, (_v, i) => ({ hash: h, port: 20000 + i, left: 1n, numwant: 0 })));
  const rows: Array<[number | undefined, number]> = [
    [undefined, 50],
    [1000, 200],
    [200, 200],
    [50, 50],
    [-5, 50],
    [-1, 50],
    [10, 10],
    [7, 7],
    [0, 0],
  ];
  for (const [n, want] of rows) {
    const r = await tc.announce({ hash: h, port: 30000, left: 1n, peer: 'asker', ...(n === undefined ? {} : { numwant: n }) });
    assert.equal(r.peers.length, want, `numwant=${String(n)}`);
    assert.equal(new Set(r.peers).size, want, 'no duplicates');
    assert.ok(!r.peers.includes('127.0.0.1:30000'));
    if (want === 0) tc.assertNoPeerBytes(r);
  }
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'bittorrent-tracker Client: two clients see each other, a completion is counted once, stop removes the peer',
    listed: 1,
    run: twoClients,
  },
  {
    name: 'bittorrent-tracker Client: a torrent not on the whitelist, the refusal text arrives as a warning event',
    listed: 0,
    run: clientNotListed,
  },
  {
    name: 'closed mode: a torrent not on the whitelist is refused with the opentracker text, the tracker keeps serving',
    listed: 1,
    run: refusedWhenNotListed,
  },
  {
    name: 'downloads: completed counts once, initial seeders do not, a leecher reaching left=0 does; stop carries no peers',
    listed: 1,
    run: counting,
  },
  { name: 'interval is 1620..1980 and jittered per reply; the requester is not returned to itself', listed: 1, run: intervalJitter },
  { name: 'left is a 64-bit number: 2^32, 2^53+1 and 2^64-1 are leechers, 0 is a seeder', listed: 1, run: leftIs64Bit },
  { name: 'numwant: default 50, cap 200, negative means default, 0 means none', listed: 1, run: numwant },
];
