import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTrackerProcess, type TrackerProcess } from '../helpers/tracker-process.js';
import { sleep } from '../helpers/wait.js';
import { httpAnnounce, scrapeOne } from '../helpers/announce.js';
import { httpGet } from '../helpers/http-client.js';
import { udpAnnounceOnce } from '../helpers/udp-client.js';
import { readCompletionFeed } from '../helpers/completion-feed.js';
import { hexBytes, peerId, randomHashHex } from '../helpers/tracker-urls.js';
import { redisTestbed, storeConnected } from '../helpers/redis-testbed.js';
import { within } from '../helpers/wait.js';

/**
 * Two real tracker processes sharing one real redis-server: peers announced to one are handed out by the
 * other, completions are counted once over both, and neither a killed instance nor a stalled Redis loses
 * or doubles a count.
 */
const bed = redisTestbed();
let a: TrackerProcess;
let b: TrackerProcess;
const H = Array.from({ length: 6 }, () => randomHashHex());

async function startInstance(prefix: string): Promise<TrackerProcess> {
  const p = await startTrackerProcess({ whitelist: H, args: ['--store', bed.redis.url, '--store-prefix', prefix] });
  bed.procs.push(p);
  await storeConnected(p);
  return p;
}

before(async () => {
  await bed.ready;
  const prefix = `t${Date.now()}:`;
  a = await startInstance(prefix);
  b = await startInstance(prefix);
});

async function udpAnnounce(
  port: number,
  hash: string,
  tag: string,
  clientPort: number,
  left: bigint,
  event: number,
  localAddress?: string,
) {
  const opts = localAddress === undefined ? {} : { localAddress };
  const downloaded = left === 0n ? 1000n : 0n;
  return udpAnnounceOnce(port, { txid: 9, infoHash: hexBytes(hash), peerId: peerId(tag), left, downloaded, event, port: clientPort }, opts);
}

const feed = (port: number) => readCompletionFeed(port, 'since=0&limit=1000');

async function completeOn(port: number, hash: string, ip: string, tag: string, clientPort = 9000): Promise<void> {
  await httpAnnounce(
    port,
    hash,
    { peer_id: peerId(tag), port: clientPort, uploaded: 0, downloaded: 100, left: 0, event: 'completed' },
    {},
    { localAddress: ip },
  );
}

describe('two instances, one Redis', () => {
  test("HTTP: a peer announced to A is in B's peer list within 2 s, and leaves it within 2 s of stopping", async () => {
    const h = H[0]!;
    await httpAnnounce(a.httpPort, h, { peer_id: peerId('x1'), port: 7001, uploaded: 0, downloaded: 0, left: 10, event: 'started' });
    const lag = await within(2000, 'peer on B', async () => {
      const r = await httpAnnounce(b.httpPort, h, { peer_id: peerId('y1'), port: 7002, uploaded: 0, downloaded: 0, left: 10 });
      return r.reply.peers.includes('127.0.0.1:7001') && r.reply.incomplete === 2;
    });
    // and the other way round
    await within(2000, "B's peer on A", async () => {
      const r = await httpAnnounce(a.httpPort, h, { peer_id: peerId('x1'), port: 7001, uploaded: 0, downloaded: 0, left: 10 });
      return r.reply.peers.includes('127.0.0.1:7002');
    });
    await httpAnnounce(a.httpPort, h, { peer_id: peerId('x1'), port: 7001, uploaded: 0, downloaded: 0, left: 10, event: 'stopped' });
    await within(2000, 'stopped peer gone from B', async () => {
      const r = await httpAnnounce(b.httpPort, h, { peer_id: peerId('y1'), port: 7002, uploaded: 0, downloaded: 0, left: 10 });
      return !r.reply.peers.includes('127.0.0.1:7001') && r.reply.incomplete === 1;
    });
    console.log(`# propagation A -> B over HTTP: ${lag} ms`);
  });

  test('UDP: the same across instances', async () => {
    const h = H[1]!;
    await udpAnnounce(a.udpPort, h, 'ux1', 7101, 0n, 2);
    await within(2000, 'UDP seeder on B', async () => {
      const r = await udpAnnounce(b.udpPort, h, 'uy1', 7102, 10n, 2);
      return r.peers.includes('127.0.0.1:7101') && r.seeders === 1;
    });
    await udpAnnounce(a.udpPort, h, 'ux1', 7101, 0n, 3);
    await within(2000, 'UDP stopped peer gone from B', async () => {
      const r = await udpAnnounce(b.udpPort, h, 'uy1', 7102, 10n, 0);
      return !r.peers.includes('127.0.0.1:7101') && r.seeders === 0;
    });
  });

  test('an instance started later gets the peers the others already hold, and the global counts', async () => {
    const h = H[1]!;
    await httpAnnounce(a.httpPort, h, { peer_id: peerId('early'), port: 7301, uploaded: 0, downloaded: 0, left: 3, event: 'started' });
    await sleep(600);
    const c = await startInstance(a.args[a.args.indexOf('--store-prefix') + 1]!);
    await within(2000, 'late instance has the peer', async () => {
      const r = await httpAnnounce(c.httpPort, h, { peer_id: peerId('late'), port: 7302, uploaded: 0, downloaded: 0, left: 3 });
      return r.reply.peers.includes('127.0.0.1:7301');
    });
    await c.stop();
  });

  test('50 completions on each instance give 100 on both, in scrape, txtp and the feed; the same client on both counts once', async () => {
    const h = H[2]!;
    for (let i = 1; i <= 50; i++) {
      await completeOn(a.httpPort, h, `127.0.1.${i}`, `ca${i}`);
      await completeOn(b.httpPort, h, `127.0.2.${i}`, `cb${i}`);
    }
    for (const p of [a, b]) {
      await within(3000, 'global count 100', async () => (await scrapeOne(p.httpPort, h))?.downloaded === 100);
    }
    const fa = await feed(a.httpPort);
    const fb = await feed(b.httpPort);
    assert.equal(fa.journal, fb.journal, 'one cluster journal id');
    assert.equal(fa.entries.filter((e) => e[2] === h).length, 100);
    assert.deepEqual(fa.entries, fb.entries);
    const txtp = (await httpGet(b.httpPort, '/stats?mode=tpbs&format=txtp')).body.toString();
    assert.match(txtp, new RegExp(`^${h.toUpperCase()}:\\d+:\\d+:100$`, 'mi'));

    // one client (same IP and peer_id) completing on A, then restarted on another port completing on B: B has
    // not seen that address, so it counts locally; the cluster-wide rule in Redis counts it once
    const h2 = H[3]!;
    await completeOn(a.httpPort, h2, '127.0.3.1', 'same', 9000);
    await sleep(600);
    await completeOn(b.httpPort, h2, '127.0.3.1', 'same', 9001);
    await sleep(1200);
    assert.equal((await scrapeOne(a.httpPort, h2))?.downloaded, 1);
    assert.equal((await scrapeOne(b.httpPort, h2))?.downloaded, 1);
  });

  test('the per-address limit holds over the cluster: 4 + 4 completions from one address give 5', async () => {
    const h = H[4]!;
    for (let i = 0; i < 4; i++) {
      await completeOn(a.httpPort, h, '127.0.4.1', `la${i}`, 9100 + i);
      await completeOn(b.httpPort, h, '127.0.4.1', `lb${i}`, 9200 + i);
    }
    await sleep(1200);
    for (const p of [a, b]) assert.equal((await scrapeOne(p.httpPort, h))?.downloaded, 5);
  });

  test('Redis stopped for 5 s under load: announces answered within 1 s, completions made meanwhile counted once it resumes', async () => {
    const h = H[5]!;
    const before = (await scrapeOne(b.httpPort, h))?.downloaded ?? 0;
    let stop = false;
    let slowest = 0;
    let answered = 0;
    const load = (async () => {
      let i = 0;
      while (!stop) {
        const t0 = Date.now();
        await httpAnnounce(a.httpPort, h, { peer_id: peerId(`load${i % 20}`), port: 8000 + (i % 20), uploaded: 0, downloaded: 0, left: 5 });
        slowest = Math.max(slowest, Date.now() - t0);
        answered++;
        i++;
        await sleep(10);
      }
    })();
    bed.redis.signal('SIGSTOP');
    try {
      await sleep(1500);
      for (let i = 1; i <= 10; i++) await completeOn(a.httpPort, h, `127.0.5.${i}`, `s${i}`);
      for (let i = 1; i <= 5; i++) await completeOn(b.httpPort, h, `127.0.6.${i}`, `t${i}`);
      // each instance still shows its own completions while Redis is away
      assert.equal((await scrapeOne(a.httpPort, h))?.downloaded, before + 10);
      const st = JSON.parse((await httpGet(a.httpPort, '/stats?mode=json')).body.toString()) as {
        store: { connected: boolean; pendingCompletions: number };
      };
      assert.equal(st.store.connected, false);
      assert.equal(st.store.pendingCompletions, 10);
      const metrics = (await httpGet(a.httpPort, '/metrics')).body.toString();
      assert.match(metrics, /^tracker_store_connected 0$/m);
      const health = JSON.parse((await httpGet(a.httpPort, '/health')).body.toString()) as Record<string, unknown>;
      assert.deepEqual(health, { ok: true, degraded: true, store: 'redis', storeConnected: false, pendingCompletions: 10 });
      await sleep(3500 - 0);
    } finally {
      bed.redis.signal('SIGCONT');
    }
    stop = true;
    await load;
    assert.ok(answered > 50, `announces answered during the stall: ${answered}`);
    assert.ok(slowest < 1000, `slowest announce ${slowest} ms`);
    for (const p of [a, b]) {
      await within(5000, 'pending completions handed over', async () => (await scrapeOne(p.httpPort, h))?.downloaded === before + 15);
    }
    await sleep(1000);
    for (const p of [a, b]) assert.equal((await scrapeOne(p.httpPort, h))?.downloaded, before + 15, 'none doubled');
    const healthy = JSON.parse((await httpGet(a.httpPort, '/health')).body.toString()) as { degraded: boolean; storeConnected: boolean };
    assert.deepEqual([healthy.degraded, healthy.storeConnected], [false, true]);
    const f = await feed(b.httpPort);
    assert.equal(f.entries.filter((e) => e[2] === h).length, before + 15);
  });

  test('kill -9 of A: B keeps the counts and the swarm, and a restarted A counts nothing twice', async () => {
    const h = H[2]!;
    const total = (await scrapeOne(b.httpPort, h))?.downloaded;
    assert.equal(total, 100);
    // completions acknowledged or only journaled on A at the moment of the kill
    for (let i = 51; i <= 60; i++) await completeOn(a.httpPort, h, `127.0.1.${i}`, `ca${i}`);
    await a.kill9();
    // restart A on the same data dir: it hands over what Redis had not acknowledged, once
    const a2 = await startTrackerProcess({
      dir: a.dir,
      whitelist: H,
      args: ['--store', bed.redis.url, '--store-prefix', a.args[a.args.indexOf('--store-prefix') + 1]!],
    });
    bed.procs.push(a2);
    for (const p of [a2, b]) await within(5000, 'count 110', async () => (await scrapeOne(p.httpPort, h))?.downloaded === 110);
    await sleep(1000);
    for (const p of [a2, b]) assert.equal((await scrapeOne(p.httpPort, h))?.downloaded, 110);
    a = a2;
  });
});
