import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startTrackerProcess, type TrackerProcess } from '../helpers/tracker-process.js';
import { sleep } from '../helpers/wait.js';
import { httpAnnounce, scrapeOne } from '../helpers/announce.js';
import { httpGet } from '../helpers/http-client.js';
import { peerId, randomHashHex } from '../helpers/tracker-urls.js';
import { freeTcpPort as freePort } from '../helpers/free-port.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { storeConnected } from '../helpers/redis-testbed.js';

/** A tracker whose Redis is not there at start: it serves and counts, says it is degraded, and catches up. */
const procs: TrackerProcess[] = [];
let redis: RedisServer | null = null;
after(async () => {
  for (const p of procs) await p.cleanup();
  await redis?.stop();
});

describe('Redis down at start', () => {
  test('announces answered and counted; degraded in logs, /stats and /metrics; handed over when Redis comes', async () => {
    const h = randomHashHex();
    const port = await freePort();
    const tr = await startTrackerProcess({ whitelist: [h], args: ['--store', `redis://127.0.0.1:${port}`, '--store-prefix', 'late:'] });
    procs.push(tr);
    await tr.waitForLog((r) => /redis store unreachable/.test(String(r.msg)), 5000);
    const r = await httpAnnounce(tr.httpPort, h, {
      peer_id: peerId('d1'),
      port: 6500,
      uploaded: 0,
      downloaded: 9,
      left: 0,
      event: 'completed',
    });
    assert.equal(r.reply.failure, null);
    assert.equal((await scrapeOne(tr.httpPort, h))?.downloaded, 1);
    const st = JSON.parse((await httpGet(tr.httpPort, '/stats?mode=json')).body.toString()) as {
      store: { connected: boolean; pendingCompletions: number; degradedSince: string | null };
    };
    assert.equal(st.store.connected, false);
    assert.equal(st.store.pendingCompletions, 1);
    assert.ok(st.store.degradedSince !== null);
    assert.match((await httpGet(tr.httpPort, '/metrics')).body.toString(), /^tracker_store_connected 0$/m);

    redis = await startRedis([], { dir: fs.mkdtempSync(path.join(os.tmpdir(), 'redis-late-')), port });
    await storeConnected(tr);
    const c = new Redis(port, '127.0.0.1');
    try {
      for (let i = 0; i < 40 && (await c.hget('late:counts', h)) !== '1'; i++) await sleep(50);
      assert.equal(await c.hget('late:counts', h), '1');
    } finally {
      c.disconnect();
    }
    assert.equal((await scrapeOne(tr.httpPort, h))?.downloaded, 1);
  });
});
