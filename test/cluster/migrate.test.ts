import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startTrackerProcess, type TrackerProcess } from '../helpers/tracker-process.js';
import { sleep } from '../helpers/wait.js';
import { httpAnnounce, scrapeOne } from '../helpers/announce.js';
import { peerId, randomHashHex } from '../helpers/tracker-urls.js';
import { redisTestbed, storeConnected } from '../helpers/redis-testbed.js';

/**
 * Moving a tracker with history from the memory store to Redis keeps its counts, and a Redis that loses all
 * its data (no persistence) is re-seeded by the instances without counting anything twice.
 */
const bed = redisTestbed();

async function downloadedWithin(p: TrackerProcess, h: string, want: number, ms = 4000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const got = (await scrapeOne(p.httpPort, h))?.downloaded;
    if (got === want) return;
    if (Date.now() - t0 > ms) assert.equal(got, want);
    await sleep(50);
  }
}

async function complete(p: TrackerProcess, h: string, i: number): Promise<void> {
  await httpAnnounce(
    p.httpPort,
    h,
    { peer_id: peerId(`m${i}`), port: 9000 + i, uploaded: 0, downloaded: 5, left: 0, event: 'completed' },
    {},
    { localAddress: `127.0.9.${i}` },
  );
}

describe('moving to Redis, and a Redis that forgets', () => {
  test('a memory-store tracker restarted with --store keeps its counts, and a second instance sees them', async () => {
    const h = randomHashHex();
    const store = ['--store', bed.redis.url, '--store-prefix', 'mig:'];
    const mem = await startTrackerProcess({ whitelist: [h] });
    bed.procs.push(mem);
    for (let i = 1; i <= 3; i++) await complete(mem, h, i);
    assert.equal(await mem.stop(), 0);
    const a = await startTrackerProcess({ dir: mem.dir, whitelist: [h], args: store });
    bed.procs.push(a);
    await storeConnected(a);
    await complete(a, h, 4);
    const b = await startTrackerProcess({ whitelist: [h], args: store });
    bed.procs.push(b);
    await downloadedWithin(b, h, 4);
    await downloadedWithin(a, h, 4);

    // Redis loses everything: the first instance back re-seeds it from what it had seen; nothing doubles
    const c = new Redis(bed.redis.port, '127.0.0.1');
    await c.flushall();
    c.disconnect();
    await sleep(1500);
    await complete(b, h, 5);
    await downloadedWithin(a, h, 5);
    await downloadedWithin(b, h, 5);
    await sleep(1000);
    assert.equal((await scrapeOne(a.httpPort, h))?.downloaded, 5);
    assert.equal((await scrapeOne(b.httpPort, h))?.downloaded, 5);
  });
});
