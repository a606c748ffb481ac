import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTrackerProcess, type TrackerProcess } from '../helpers/tracker-process.js';
import { sleep } from '../helpers/wait.js';
import { httpAnnounce, scrapeOne } from '../helpers/announce.js';
import { peerId, randomHashHex } from '../helpers/tracker-urls.js';
import { redisTestbed } from '../helpers/redis-testbed.js';

/** Redis restarted with its normal persistence (append-only file): no count lost, none doubled. */
const bed = redisTestbed(['--appendonly', 'yes', '--appendfsync', 'everysec']);

async function complete(p: TrackerProcess, h: string, i: number): Promise<void> {
  await httpAnnounce(
    p.httpPort,
    h,
    { peer_id: peerId(`q${i}`), port: 9000 + i, uploaded: 0, downloaded: 5, left: 0, event: 'completed' },
    {},
    { localAddress: `127.0.10.${i}` },
  );
}

async function settle(ps: TrackerProcess[], h: string, want: number): Promise<void> {
  const t0 = Date.now();
  for (const p of ps) {
    for (;;) {
      const got = (await scrapeOne(p.httpPort, h))?.downloaded;
      if (got === want) break;
      if (Date.now() - t0 > 8000) assert.equal(got, want);
      await sleep(50);
    }
  }
}

describe('Redis restart', () => {
  test('completions before, during and after a Redis restart are all counted once', async () => {
    const h = randomHashHex();
    const args = ['--store', bed.redis.url, '--store-prefix', 'rr:'];
    const a = await startTrackerProcess({ whitelist: [h], args });
    const b = await startTrackerProcess({ whitelist: [h], args });
    bed.procs.push(a, b);
    for (let i = 1; i <= 10; i++) await complete(i % 2 ? a : b, h, i);
    await settle([a, b], h, 10);
    const restarting = bed.restartRedis();
    for (let i = 11; i <= 20; i++) await complete(i % 2 ? a : b, h, i);
    await restarting;
    for (let i = 21; i <= 30; i++) await complete(i % 2 ? a : b, h, i);
    await settle([a, b], h, 30);
    await sleep(1500);
    for (const p of [a, b]) assert.equal((await scrapeOne(p.httpPort, h))?.downloaded, 30);
  });
});
