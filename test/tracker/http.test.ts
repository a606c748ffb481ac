import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startTrackerProcess, type TrackerProcess } from '../helpers/tracker-process.js';
import { cleanUpAfter } from '../helpers/cleanup.js';
import { httpGet } from '../helpers/http-client.js';
import { httpAnnounce, httpScrape } from '../helpers/announce.js';
import {
  MISSING_INFO_HASH_BODY,
  announceUrl,
  bdecode,
  asDict,
  bencodeKeys,
  bstr,
  hexBytes,
  parseAnnounce,
  pctEncode,
  peerId,
  randomHashHex,
  scrapeUrl,
} from '../helpers/tracker-urls.js';

const H2 = randomHashHex();
const HMISC = randomHashHex();
const HDICT = randomHashHex();
const NOT_LISTED = randomHashHex();
const MANY = Array.from({ length: 70 }, () => randomHashHex());

describe('HTTP: hand-made announces', () => {
  let tr: TrackerProcess;
  before(async () => {
    tr = await startTrackerProcess({ whitelist: [H2, HMISC, HDICT, ...MANY] });
  });
  after(() => tr?.cleanup());

  const H = pctEncode(hexBytes(H2));
  const PID = pctEncode(peerId('tablerow'));
  const failureRows: Array<{ name: string; url: string; body?: string; reason?: RegExp }> = [
    { name: 'no info_hash (opentracker text)', url: '/announce?port=6883&left=5', body: MISSING_INFO_HASH_BODY },
    { name: 'no query at all', url: '/announce', body: MISSING_INFO_HASH_BODY },
    { name: 'short info_hash', url: '/announce?info_hash=%01%23&port=6883' },
    { name: '21-byte info_hash', url: `/announce?info_hash=${H}%00&port=6883` },
    { name: 'duplicate info_hash', url: `/announce?info_hash=${H}&info_hash=${H}&port=6883` },
    { name: 'bad percent-encoding', url: '/announce?info_hash=%zz&port=6883' },
    { name: 'truncated percent-encoding', url: `/announce?info_hash=${H.slice(0, -2)}&port=6883` },
    { name: 'port 70000', url: `/announce?info_hash=${H}&peer_id=${PID}&port=70000` },
    { name: 'port 65536', url: `/announce?info_hash=${H}&peer_id=${PID}&port=65536` },
    { name: 'port 0', url: `/announce?info_hash=${H}&peer_id=${PID}&port=0` },
    { name: 'port missing', url: `/announce?info_hash=${H}&peer_id=${PID}&left=1` },
    { name: 'port -1', url: `/announce?info_hash=${H}&peer_id=${PID}&port=-1` },
    { name: 'port abc', url: `/announce?info_hash=${H}&peer_id=${PID}&port=abc` },
    { name: 'port empty', url: `/announce?info_hash=${H}&peer_id=${PID}&port=` },
    { name: 'short peer_id', url: `/announce?info_hash=${H}&peer_id=short&port=6883` },
    { name: 'numwant=ten', url: `/announce?info_hash=${H}&peer_id=${PID}&port=6883&numwant=ten` },
    { name: 'left=abc (opentracker: seeder)', url: `/announce?info_hash=${H}&peer_id=${PID}&port=6883&left=abc` },
    { name: 'left=-1', url: `/announce?info_hash=${H}&peer_id=${PID}&port=6883&left=-1` },
    { name: 'left empty', url: `/announce?info_hash=${H}&peer_id=${PID}&port=6883&left=` },
    { name: 'left = 2^64', url: `/announce?info_hash=${H}&peer_id=${PID}&port=6883&left=18446744073709551616` },
    { name: 'left with 30 digits', url: `/announce?info_hash=${H}&peer_id=${PID}&port=6883&left=${'9'.repeat(30)}` },
    { name: 'compact=abc', url: `/announce?info_hash=${H}&peer_id=${PID}&port=6883&compact=abc` },
  ];
  for (const row of failureRows) {
    test(`failure reason: ${row.name}`, async () => {
      const res = await httpGet(tr.httpPort, row.url);
      assert.equal(res.status, 200, `${row.name}: status`);
      if (row.body !== undefined) {
        assert.equal(res.body.toString('latin1'), row.body);
      } else {
        const d = asDict(bdecode(res.body));
        assert.deepEqual(Object.keys(d), ['failure reason'], `${row.name}: only a failure reason, got ${res.body.toString('latin1')}`);
        const reason = bstr(d['failure reason']);
        assert.ok(reason.length > 0);
        if (row.reason) assert.match(reason, row.reason);
      }
      assert.equal(res.headers['content-type']?.startsWith('text/html'), false, 'never HTML');
      // the tracker stays up and keeps serving valid announces after each bad one
      const ok = await httpAnnounce(tr.httpPort, H2, { port: 6999, left: 1 });
      assert.equal(ok.reply.failure, null);
    });
  }

  test('success reply: opentracker key order and bytes', async () => {
    const first = await httpAnnounce(tr.httpPort, HMISC, { port: 6881, left: 1000, event: 'started', compact: 1 });
    assert.match(
      first.body.toString('latin1'),
      /^d8:completei0e10:downloadedi0e10:incompletei1e8:intervali(\d+)e12:min intervali(\d+)e5:peers0:e$/,
    );
    assert.deepEqual(bencodeKeys(first.body), ['complete', 'downloaded', 'incomplete', 'interval', 'min interval', 'peers']);
  });

  test('stopped reply has no downloaded key and no peers', async () => {
    await httpAnnounce(tr.httpPort, HMISC, { port: 6890, left: 5 });
    const r = await httpAnnounce(tr.httpPort, HMISC, { port: 6890, left: 5, event: 'stopped' });
    assert.match(r.body.toString('latin1'), /^d8:completei\d+e10:incompletei\d+e8:intervali\d+e12:min intervali\d+e5:peers0:e$/);
  });

  test('compact=0 gets a BEP 3 dictionary peer list', async () => {
    await httpAnnounce(tr.httpPort, HDICT, { port: 6001, left: 1 });
    const r = await httpGet(tr.httpPort, announceUrl(HDICT, { peer_id: peerId('dict'), port: 6002, left: 1, compact: 0 }));
    assert.equal(r.status, 200);
    assert.deepEqual(bencodeKeys(r.body), ['complete', 'downloaded', 'incomplete', 'interval', 'min interval', 'peers']);
    const d = asDict(bdecode(r.body));
    assert.ok(Array.isArray(d['peers']), `peers is a list, got ${r.body.toString('latin1')}`);
    const peers = (d['peers'] as unknown[]).map((p) => asDict(p));
    assert.equal(peers.length, 1);
    assert.equal(bstr(peers[0]!['ip']), '127.0.0.1');
    assert.equal(peers[0]!['port'], 6001);
  });

  test('announce.php and scrape.php are aliases', async () => {
    const r = await httpGet(tr.httpPort, announceUrl(HMISC, { peer_id: peerId('php'), port: 6003, left: 1 }, '/announce.php'));
    assert.equal(parseAnnounce(r.body).failure, null);
    const s = await httpGet(tr.httpPort, scrapeUrl([HMISC], '/scrape.php'));
    assert.match(s.body.toString('latin1'), /^d5:filesd20:/);
  });

  test('scrape: duplicates removed, at most 64 hashes, keys in opentracker order, unknown non-listed omitted', async () => {
    const dup = await httpGet(tr.httpPort, scrapeUrl(Array.from({ length: 70 }, () => HMISC)));
    const files = asDict(asDict(bdecode(dup.body))['files']);
    assert.equal(Object.keys(files).length, 1);
    const many = await httpScrape(tr.httpPort, MANY);
    assert.equal(many.size, 64);
    const one = await httpGet(tr.httpPort, scrapeUrl([HMISC, NOT_LISTED]));
    assert.match(one.body.toString('latin1'), /^d5:filesd20:[\s\S]{20}d8:completei\d+e10:downloadedi\d+e10:incompletei\d+eeee$/);
    const empty = await httpGet(tr.httpPort, scrapeUrl([NOT_LISTED]));
    assert.equal(empty.body.toString('latin1'), 'd5:filesdee');
  });

  test('scrape with a bad info_hash or none is a failure reason, not HTML', async () => {
    for (const url of ['/scrape?', '/scrape?info_hash=%01', '/scrape?info_hash=%zz', '/scrape?foo=bar']) {
      const r = await httpGet(tr.httpPort, url);
      assert.equal(r.status, 200, url);
      const d = asDict(bdecode(r.body));
      assert.ok(d['failure reason'] !== undefined, `${url}: ${r.body.toString('latin1')}`);
    }
  });
});

async function canBindIpv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(0, '::1', () => s.close(() => resolve(true)));
  });
}

describe('HTTP: IPv6 peers6', async () => {
  const v6 = await canBindIpv6Loopback();
  let tr: TrackerProcess | undefined;
  after(() => tr?.cleanup());

  test('an IPv6 peer shows in peers6 for an IPv4 requester, and the reverse in peers', {
    skip: v6 ? false : 'IPv6 loopback (::1) is not available here',
  }, async () => {
    const hash = randomHashHex();
    tr = await startTrackerProcess({
      whitelist: [hash],
      binds: ['-i', '127.0.0.1', '-p', '0', '-P', '0', '-i', '::1', '-p', '0', '-P', '0'],
    });
    const v6port = tr.listeners.find((l) => l.proto === 'tcp' && l.address === '::1')?.port;
    assert.ok(v6port, `a tcp listener on ::1: ${JSON.stringify(tr.listeners)}`);
    const six = await httpAnnounce(v6port, hash, { port: 6661, left: 1 }, {}, { host: '::1' });
    assert.equal(six.reply.failure, null);
    const four = await httpAnnounce(tr.httpPort, hash, { port: 6662, left: 1 });
    assert.deepEqual(four.reply.peers6, ['[0:0:0:0:0:0:0:1]:6661']);
    assert.deepEqual(four.reply.peers, []);
    assert.deepEqual(bencodeKeys(four.body), ['complete', 'downloaded', 'incomplete', 'interval', 'min interval', 'peers', 'peers6']);
    assert.equal(four.reply.incomplete, 2);
    const sixAgain = await httpAnnounce(v6port, hash, { port: 6661, left: 1 }, {}, { host: '::1' });
    assert.deepEqual(sixAgain.reply.peers, ['127.0.0.1:6662']);
  });
});

describe('HTTP: X-Forwarded-For', () => {
  const hash = randomHashHex();
  const { procs: trackers, dirs } = cleanUpAfter();

  test('ignored without access.proxy', async () => {
    const tr = await startTrackerProcess({ whitelist: [hash] });
    trackers.push(tr);
    await httpAnnounce(tr.httpPort, hash, { port: 7001, left: 1 }, { 'X-Forwarded-For': '10.1.2.3' });
    const other = await httpAnnounce(tr.httpPort, hash, { port: 7002, left: 1 });
    assert.deepEqual(other.reply.peers, ['127.0.0.1:7001']);
  });

  test('honoured from a trusted proxy (-f conf with access.proxy 127.0.0.1): nearest untrusted hop', async () => {
    const tmp = makeTempDir('tracker-xff-');
    dirs.push(tmp);
    fs.writeFileSync(path.join(tmp.dir, 'opentracker.conf'), 'access.proxy 127.0.0.1\n');
    const tr = await startTrackerProcess({ whitelist: [hash], dir: tmp.dir, args: ['-f', path.join(tmp.dir, 'opentracker.conf')] });
    trackers.push(tr);
    await httpAnnounce(tr.httpPort, hash, { port: 7001, left: 1 }, { 'X-Forwarded-For': '10.1.2.3' });
    await httpAnnounce(tr.httpPort, hash, { port: 7003, left: 1 }, { 'X-Forwarded-For': '192.0.2.9, 10.9.9.9, 127.0.0.1' });
    const other = await httpAnnounce(tr.httpPort, hash, { port: 7002, left: 1 });
    assert.deepEqual(new Set(other.reply.peers), new Set(['10.1.2.3:7001', '10.9.9.9:7003']));
  });
});
