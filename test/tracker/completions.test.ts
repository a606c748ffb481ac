import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startTrackerProcess, type TrackerProcess } from '../helpers/tracker-process.js';
import { cleanUpAfter } from '../helpers/cleanup.js';
import { httpAnnounce, scrapeOne } from '../helpers/announce.js';
import { httpGet } from '../helpers/http-client.js';
import { udpAnnounceOnce } from '../helpers/udp-client.js';
import { readCompletionFeed } from '../helpers/completion-feed.js';
import { hexBytes, peerId, randomHashHex } from '../helpers/tracker-urls.js';

/**
 * What counts as a download, the same over HTTP and UDP, the per-address limit, and the completion feed
 * (`/stats?mode=completions`) across restarts, against a real tracker process.
 */
const { procs, dirs } = cleanUpAfter();

async function start(opts: Parameters<typeof startTrackerProcess>[0]): Promise<TrackerProcess> {
  const p = await startTrackerProcess(opts);
  procs.push(p);
  return p;
}

const feed = readCompletionFeed;

/** An HTTP announce of a completed download by `peerTag` listening on `clientPort`, sent from `localAddress`. */
function httpComplete(port: number, hash: string, peerTag: string, clientPort: number, localAddress?: string, downloaded = 1) {
  const from = localAddress === undefined ? {} : { localAddress };
  return httpAnnounce(port, hash, { peer_id: peerId(peerTag), port: clientPort, left: 0, downloaded, event: 'completed' }, {}, from);
}

async function udpAnnounce(
  port: number,
  hash: string,
  f: { left: bigint; downloaded: bigint; event: number; peerTag: string; localAddress?: string; clientPort?: number },
) {
  const opts = f.localAddress === undefined ? {} : { localAddress: f.localAddress };
  const fields = { txid: 7, infoHash: hexBytes(hash), peerId: peerId(f.peerTag), left: f.left, downloaded: f.downloaded, event: f.event };
  return udpAnnounceOnce(port, { ...fields, port: f.clientPort ?? 6881 }, opts);
}

describe('what counts as a download', () => {
  test('HTTP: a first announce with left=0 and downloaded>0 (aria2c after a web-seed download) counts once; a seeder with downloaded=0 does not', async () => {
    const [h] = [randomHashHex()];
    const tr = await start({ whitelist: [h] });
    // the publisher's seeder
    await httpAnnounce(tr.httpPort, h, { peer_id: peerId('seed'), port: 7000, uploaded: 0, downloaded: 0, left: 0, event: 'started' });
    assert.equal((await scrapeOne(tr.httpPort, h))?.downloaded, 0);
    // aria2c's first announce after fetching everything from the web seed, as seen in the wild
    const aria = { peer_id: peerId('aria'), port: 7001, uploaded: 0, downloaded: 6291456, left: 0 };
    await httpAnnounce(tr.httpPort, h, { ...aria, event: 'started', compact: 1 });
    assert.equal((await scrapeOne(tr.httpPort, h))?.downloaded, 1);
    await httpAnnounce(tr.httpPort, h, aria);
    await httpAnnounce(tr.httpPort, h, { ...aria, event: 'stopped' });
    assert.equal((await scrapeOne(tr.httpPort, h))?.downloaded, 1);
    const f = await feed(tr.httpPort);
    assert.deepEqual(
      f.entries.map((e) => e[2]),
      [h],
    );
  });

  test('UDP: the same rules', async () => {
    const h = randomHashHex();
    const tr = await start({ whitelist: [h] });
    await udpAnnounce(tr.udpPort, h, { left: 0n, downloaded: 0n, event: 2, peerTag: 'useed', clientPort: 7000 });
    await udpAnnounce(tr.udpPort, h, { left: 0n, downloaded: 6291456n, event: 2, peerTag: 'uaria', clientPort: 7001 });
    await udpAnnounce(tr.udpPort, h, { left: 0n, downloaded: 6291456n, event: 0, peerTag: 'uaria', clientPort: 7001 });
    const r = await udpAnnounce(tr.udpPort, h, { left: 0n, downloaded: 6291456n, event: 3, peerTag: 'uaria', clientPort: 7001 });
    assert.equal(r.seeders >= 1, true);
    assert.equal((await scrapeOne(tr.httpPort, h))?.downloaded, 1);
  });
});

describe('per-address limit', () => {
  test('100 completions from one address (new ports and peer_ids) add at most the limit; 100 from distinct addresses add 100', {
    timeout: 60000,
  }, async () => {
    const [one, many, udpOne] = [randomHashHex(), randomHashHex(), randomHashHex()];
    const tr = await start({ whitelist: [one, many, udpOne], args: ['--completions-per-address', '3'] });
    for (let i = 0; i < 100; i++) {
      await httpComplete(tr.httpPort, one, `one${i}`, 10000 + i, undefined, 1000);
    }
    assert.equal((await scrapeOne(tr.httpPort, one))?.downloaded, 3);
    for (let i = 0; i < 100; i++) {
      await httpComplete(tr.httpPort, many, `many${i}`, 10000, `127.0.1.${i + 2}`, 1000);
    }
    assert.equal((await scrapeOne(tr.httpPort, many))?.downloaded, 100);
    // over UDP: 20 from one address, then 20 from distinct ones
    for (let i = 0; i < 20; i++)
      await udpAnnounce(tr.udpPort, udpOne, { left: 0n, downloaded: 1n, event: 1, peerTag: `u${i}`, clientPort: 20000 + i });
    assert.equal((await scrapeOne(tr.httpPort, udpOne))?.downloaded, 3);
    for (let i = 0; i < 20; i++)
      await udpAnnounce(tr.udpPort, udpOne, { left: 0n, downloaded: 1n, event: 1, peerTag: `v${i}`, localAddress: `127.0.2.${i + 2}` });
    assert.equal((await scrapeOne(tr.httpPort, udpOne))?.downloaded, 23);
    const m = (await httpGet(tr.httpPort, '/metrics')).body.toString();
    assert.match(m, /tracker_completions_not_counted_total\{reason="address_limit"\} 114\n/);
    // two swarms of 100 peers: their tables outgrew Node's buffer pool and live in one 256 KiB slab
    assert.match(m, /\ntracker_peer_slab_bytes 262144\n/);
    assert.equal((await feed(tr.httpPort, 'since=0&limit=10000')).last, 126);
  });
});

describe('completion feed', () => {
  test('contract: since, limit, first/last, ids stable across SIGTERM and kill -9; errors and access', async () => {
    const tmp = makeTempDir('tracker-feed-');
    dirs.push(tmp);
    const [a, b] = [randomHashHex(), randomHashHex()];
    let tr = await start({ whitelist: [a, b], dir: tmp.dir });
    const empty = await feed(tr.httpPort);
    assert.match(empty.journal, /^[0-9a-f]{16}$/);
    assert.deepEqual([empty.first, empty.last, empty.entries], [1, 0, []]);
    const t0 = Date.now();
    for (let i = 0; i < 5; i++) await httpComplete(tr.httpPort, i % 2 === 0 ? a : b, `f${i}`, 7000 + i, `127.0.3.${i + 1}`);
    const all = await feed(tr.httpPort);
    assert.deepEqual([all.first, all.last], [1, 5]);
    // seq and info_hash of the five, in order (the middle field is the completion time)
    const five = [
      [1, a],
      [2, b],
      [3, a],
      [4, b],
      [5, a],
    ];
    assert.deepEqual(
      all.entries.map((e) => [e[0], e[2]]),
      five,
    );
    for (const e of all.entries) assert.ok(e[1] >= t0 - 1000 && e[1] <= Date.now() + 1000, 'real completion times');
    assert.deepEqual(
      (await feed(tr.httpPort, 'since=3')).entries.map((e) => e[0]),
      [4, 5],
    );
    assert.deepEqual(
      (await feed(tr.httpPort, 'since=1&limit=2')).entries.map((e) => e[0]),
      [2, 3],
    );
    assert.deepEqual((await feed(tr.httpPort, 'since=5')).entries, []);
    assert.equal((await httpGet(tr.httpPort, '/stats?mode=completions&since=-1')).status, 400);
    assert.equal((await httpGet(tr.httpPort, '/stats?mode=completions&since=x')).status, 400);
    assert.equal((await httpGet(tr.httpPort, '/stats?mode=completions&limit=abc')).status, 400);
    assert.equal(
      (await httpGet(tr.httpPort, '/stats?mode=completions', {}, { localAddress: '127.0.0.2', host: '127.0.0.1' })).status,
      200,
      'loopback is a stats client by default',
    );
    assert.equal(await tr.stop('SIGTERM'), 0);

    tr = await start({ dir: tmp.dir, args: ['-A', '127.0.0.1/32'] });
    assert.equal(
      (await httpGet(tr.httpPort, '/stats?mode=completions', {}, { localAddress: '127.0.0.2' })).status,
      403,
      'stats clients only',
    );
    const after1 = await feed(tr.httpPort);
    assert.equal(after1.journal, all.journal, 'same journal id after SIGTERM');
    assert.deepEqual(after1.entries, all.entries);
    await httpComplete(tr.httpPort, b, 'f9', 7100, '127.0.3.99');
    await tr.kill9();

    tr = await start({ dir: tmp.dir });
    const after2 = await feed(tr.httpPort);
    assert.equal(after2.journal, all.journal, 'same journal id after kill -9');
    assert.deepEqual(
      after2.entries.map((e) => [e[0], e[2]]),
      [...five, [6, b]],
    );
    assert.equal((await scrapeOne(tr.httpPort, a))?.downloaded, 3);
    assert.equal((await scrapeOne(tr.httpPort, b))?.downloaded, 3);
    // the state file says which journal entries its counts include
    assert.match(fs.readFileSync(path.join(tmp.dir, 'state.txt'), 'utf8'), new RegExp(`^# journal ${all.journal} \\d\\n`));
  });

  test('--journal-keep bounds the history: first moves up, seqs keep going', async () => {
    const h = randomHashHex();
    const tr = await start({ whitelist: [h], args: ['--journal-keep', '100'] });
    for (let i = 0; i < 130; i++) await httpComplete(tr.httpPort, h, `k${i}`, 7000, `127.0.4.${i + 1}`);
    const f = await feed(tr.httpPort, 'since=0&limit=10000');
    assert.deepEqual([f.first, f.last, f.entries.length, f.entries[0]![0]], [31, 130, 100, 31]);
  });
});

describe('open mode caps', () => {
  test('--max-torrents: announces of new torrents beyond it are refused and counted; known ones go on', async () => {
    const tr = await start({ whitelist: [], listFlag: '-b', args: ['--max-torrents', '3'] });
    const hashes = [randomHashHex(), randomHashHex(), randomHashHex(), randomHashHex()];
    for (const h of hashes.slice(0, 3)) assert.equal((await httpAnnounce(tr.httpPort, h, { port: 7000, left: 1 })).reply.failure, null);
    assert.notEqual((await httpAnnounce(tr.httpPort, hashes[3]!, { port: 7000, left: 1 })).reply.failure, null);
    assert.equal((await httpAnnounce(tr.httpPort, hashes[0]!, { port: 7001, left: 1 })).reply.failure, null);
    const j = JSON.parse((await httpGet(tr.httpPort, '/stats?mode=json')).body.toString()) as { torrents: number; torrentsFull: number };
    assert.deepEqual([j.torrents, j.torrentsFull], [3, 1]);
    assert.match((await httpGet(tr.httpPort, '/metrics')).body.toString(), /\ntracker_torrents_full_total 1\n/);
  });
});

describe('a state file that cannot be written', () => {
  test('SIGTERM says loudly that it could not flush and exits non-zero; the journal still has every completion', async () => {
    const tmp = makeTempDir('tracker-noflush-');
    dirs.push(tmp);
    const stateDir = path.join(tmp.dir, 'state');
    fs.mkdirSync(stateDir);
    const h = randomHashHex();
    const journalFile = path.join(tmp.dir, 'tracker.journal');
    const tr = await start({
      whitelist: [h],
      dir: tmp.dir,
      args: ['--state-file', path.join(stateDir, 'tracker.state'), '--journal-file', journalFile],
    });
    await httpComplete(tr.httpPort, h, 'nf', 7000);
    // the folder becomes a file: no write can succeed there, even as root
    fs.rmSync(stateDir, { recursive: true });
    fs.writeFileSync(stateDir, 'not a folder');
    assert.equal(await tr.stop('SIGTERM'), 1, 'non-zero exit');
    const recs = tr.records();
    assert.ok(
      recs.some((r) => r['level'] === 50 && /WITHOUT flushing/.test(String(r.msg))),
      'an error says it did not flush',
    );
    assert.ok(!recs.some((r) => /state flushed/.test(String(r.msg))), 'never claims it flushed');
    assert.match(fs.readFileSync(journalFile, 'latin1'), new RegExp(`\\n1 \\d+ ${h}\\n`));
  });
});
