import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTrackerProcess, type TrackerProcess } from '../helpers/tracker-process.js';
import { sleep } from '../helpers/wait.js';
import { httpAnnounce, scrapeOne } from '../helpers/announce.js';
import { httpGet } from '../helpers/http-client.js';
import { peerId, randomHashHex } from '../helpers/tracker-urls.js';
import { redisTestbed, storeConnected } from '../helpers/redis-testbed.js';

/**
 * One contract, two stores: what a single tracker promises (peer lists, counting rules, feed, counts across a
 * restart) holds the same with `--store memory` and with `--store redis://…`. Redis figures arrive after the
 * next exchange (a few hundred ms), so every check polls briefly.
 */
const bed = redisTestbed();

async function eventually<T>(what: string, get: () => Promise<T>, want: T, ms = 3000): Promise<void> {
  const t0 = Date.now();
  let last: T = await get();
  while (JSON.stringify(last) !== JSON.stringify(want)) {
    if (Date.now() - t0 > ms) assert.deepEqual(last, want, what);
    await sleep(50);
    last = await get();
  }
}

for (const store of ['memory', 'redis'] as const) {
  describe(`store contract: ${store}`, () => {
    const hashes = [randomHashHex(), randomHashHex(), randomHashHex()];
    let prefix = '';
    let tr: TrackerProcess;
    const args = (): string[] => (store === 'redis' ? ['--store', bed.redis.url, '--store-prefix', prefix] : []);
    async function start(dir?: string): Promise<TrackerProcess> {
      const p = await startTrackerProcess({ whitelist: hashes, args: args(), ...(dir !== undefined ? { dir } : {}) });
      bed.procs.push(p);
      if (store === 'redis') await storeConnected(p);
      return p;
    }
    before(async () => {
      prefix = `c${Date.now()}${store}:`;
      tr = await start();
    });

    test('peer lists and seeder/leecher counts; a stop removes the peer', async () => {
      const h = hashes[0]!;
      await httpAnnounce(tr.httpPort, h, { peer_id: peerId('s'), port: 6001, uploaded: 0, downloaded: 0, left: 0, event: 'started' });
      const r = await httpAnnounce(tr.httpPort, h, {
        peer_id: peerId('l'),
        port: 6002,
        uploaded: 0,
        downloaded: 0,
        left: 9,
        event: 'started',
      });
      assert.deepEqual([r.reply.complete, r.reply.incomplete, r.reply.peers], [1, 1, ['127.0.0.1:6001']]);
      await httpAnnounce(tr.httpPort, h, { peer_id: peerId('s'), port: 6001, uploaded: 0, downloaded: 0, left: 0, event: 'stopped' });
      const r2 = await httpAnnounce(tr.httpPort, h, { peer_id: peerId('l'), port: 6002, uploaded: 0, downloaded: 0, left: 9 });
      assert.deepEqual([r2.reply.complete, r2.reply.incomplete, r2.reply.peers], [0, 1, []]);
    });

    test('a download counts once, an address at most 5 times; scrape, txtp and the feed agree', async () => {
      const h = hashes[1]!;
      for (let i = 0; i < 3; i++)
        await httpAnnounce(tr.httpPort, h, {
          peer_id: peerId('once'),
          port: 6100,
          uploaded: 0,
          downloaded: 10,
          left: 0,
          event: i === 0 ? 'completed' : 'started',
        });
      await eventually('one download', async () => (await scrapeOne(tr.httpPort, h))?.downloaded, 1);
      for (let i = 0; i < 7; i++) {
        await httpAnnounce(
          tr.httpPort,
          h,
          { peer_id: peerId(`many${i}`), port: 6200 + i, uploaded: 0, downloaded: 10, left: 0, event: 'completed' },
          {},
          { localAddress: '127.0.7.7' },
        );
      }
      await eventually('address limit', async () => (await scrapeOne(tr.httpPort, h))?.downloaded, 6);
      const txtp = (await httpGet(tr.httpPort, '/stats?mode=tpbs&format=txtp')).body.toString();
      assert.match(txtp, new RegExp(`^${h.toUpperCase()}:\\d+:\\d+:6$`, 'mi'));
      await eventually(
        'feed',
        async () => {
          const f = JSON.parse((await httpGet(tr.httpPort, '/stats?mode=completions&since=0')).body.toString()) as {
            entries: Array<[number, number, string]>;
          };
          return f.entries.filter((e) => e[2] === h).length;
        },
        6,
      );
    });

    test('counts survive a restart, none doubled', async () => {
      const h = hashes[2]!;
      for (let i = 0; i < 3; i++)
        await httpAnnounce(
          tr.httpPort,
          h,
          { peer_id: peerId(`r${i}`), port: 6300 + i, uploaded: 0, downloaded: 10, left: 0 },
          {},
          { localAddress: `127.0.8.${i + 1}` },
        );
      await eventually('three', async () => (await scrapeOne(tr.httpPort, h))?.downloaded, 3);
      assert.equal(await tr.stop('SIGTERM'), 0);
      tr = await start(tr.dir);
      await eventually(
        'after restart',
        async () => [(await scrapeOne(tr.httpPort, h))?.downloaded, (await scrapeOne(tr.httpPort, hashes[1]!))?.downloaded],
        [3, 6],
      );
      await sleep(800);
      assert.equal((await scrapeOne(tr.httpPort, h))?.downloaded, 3);
    });
  });
}
