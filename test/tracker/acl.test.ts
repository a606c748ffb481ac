import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startTrackerProcess, type TrackerProcess } from '../helpers/tracker-process.js';
import { cleanUpAfter } from '../helpers/cleanup.js';
import { httpGet } from '../helpers/http-client.js';
import { httpAnnounce } from '../helpers/announce.js';
import { randomHashHex, scrapeUrl } from '../helpers/tracker-urls.js';

/**
 * /stats, /metrics and the closed-mode full scrape belong to -A / access.stats addresses only. 127.0.0.2 is a
 * second loopback address, so one machine can play both a blessed and a stranger's client.
 */

const BLESSED = { localAddress: '127.0.0.1' };
const STRANGER = { localAddress: '127.0.0.2' };
const H = randomHashHex();

const { procs, dirs } = cleanUpAfter();

async function start(args: readonly string[], dir?: string): Promise<TrackerProcess> {
  const p = await startTrackerProcess({ whitelist: [H], args, dir });
  procs.push(p);
  await httpAnnounce(p.httpPort, H, { port: 6881, left: 1 });
  return p;
}

describe('-A 127.0.0.1', () => {
  let tr: TrackerProcess;
  before(async () => {
    tr = await start(['-A', '127.0.0.1']);
  });

  const paths = ['/stats', '/stats?mode=peer', '/stats?mode=tpbs&format=txtp', '/stats?mode=json', '/metrics', '/scrape'];
  for (const p of paths) {
    test(`${p}: 200 for the blessed address, 403 for another`, async () => {
      const ok = await httpGet(tr.httpPort, p, {}, BLESSED);
      assert.equal(ok.status, 200, `${p} from 127.0.0.1`);
      const no = await httpGet(tr.httpPort, p, {}, STRANGER);
      assert.equal(no.status, 403, `${p} from 127.0.0.2`);
      assert.ok(
        !no.body.toString('latin1').includes(H.toUpperCase()) && !no.body.includes(Buffer.from(H, 'hex')),
        'nothing leaks in the 403',
      );
    });
  }

  test('strangers may still announce and scrape single torrents', async () => {
    const a = await httpAnnounce(tr.httpPort, H, { port: 6882, left: 1 }, {}, STRANGER);
    assert.deepEqual(a.reply.peers, ['127.0.0.1:6881']);
    const s = await httpGet(tr.httpPort, scrapeUrl([H]), {}, STRANGER);
    assert.equal(s.status, 200);
    assert.match(s.body.toString('latin1'), /^d5:filesd20:/);
  });

  test('/health is open to everyone (load balancers) and tells a healthy memory-store tracker', async () => {
    const h = await httpGet(tr.httpPort, '/health', {}, STRANGER);
    assert.equal(h.status, 200);
    assert.match(String(h.headers['content-type']), /^application\/json/);
    assert.deepEqual(JSON.parse(h.body.toString()), {
      ok: true,
      degraded: false,
      store: 'memory',
      storeConnected: null,
      pendingCompletions: 0,
    });
  });

  test('/metrics is Prometheus text', async () => {
    const m = await httpGet(tr.httpPort, '/metrics', {}, BLESSED);
    assert.match(String(m.headers['content-type']), /^text\/plain/);
    const text = m.body.toString('utf8');
    assert.match(text, /^# (HELP|TYPE) /m);
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      assert.match(
        line,
        /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[0-9.e+-]+(?: \d+)?$|^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? (NaN|[+-]Inf)$/,
        `metric line ${JSON.stringify(line)}`,
      );
    }
  });

  const modes: Array<[string, RegExp | null]> = [
    ['peer', /^\d+\n\d+\nopentracker serving \d+ torrents\nopentracker$/],
    ['torr', /^\d+\n0\nopentracker serving \d+ torrents\nopentracker$/],
    ['conn', /^\d+\n\d+\n\d+ seconds \(\d+ hours\)\nopentracker connections, /],
    ['tcp4', /^\d+\n\d+\n\d+ seconds \(\d+ hours\)\nopentracker tcp4 stats, /],
    ['udp4', /^\d+\n\d+\n\d+ seconds \(\d+ hours\)\nopentracker udp4 stats, /],
    ['scrp', /^\d+\n\d+\n\d+ seconds \(\d+ hours\)\nopentracker scrape stats, /],
    ['fscr', /^\d+\n\d+\n\d+ seconds \(\d+ hours\)\nopentracker full scrape stats, /],
    ['completed', /^\d+\n0\n\d+ seconds \(\d+ hours\)\nopentracker, \d+ completed\/h\.$/],
    ['herr', /^302 RED \d+\n/],
    ['renew', /^00 \d+\n/],
    ['version', /./],
    ['top10', /^Top 10 torrents by peers:\n/],
    ['top100', /^Top 100 torrents by peers:\n/],
    ['everything', /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<stats>/],
    ['statedump', /^([0-9A-F]{40}:\d+:\d+\n)*$/],
    ['tpbs', /^([0-9A-F]{40}:\d+:\d+\n)*$/],
    ['json', null],
  ];
  for (const [mode, re] of modes) {
    test(`/stats?mode=${mode}: answers, gzip only when asked`, async () => {
      const r = await httpGet(tr.httpPort, `/stats?mode=${mode}`, {}, BLESSED);
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-encoding'], undefined);
      const body = r.body.toString('utf8');
      if (re === null) JSON.parse(body);
      else assert.match(body, re);
      const gz = await httpGet(tr.httpPort, `/stats?mode=${mode}`, { 'Accept-Encoding': 'gzip, deflate' }, BLESSED);
      const plain = gz.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(gz.body) : gz.body;
      assert.equal(gz.status, 200);
      // modes without clocks or request counters give the same body either way
      if (/^(peer|torr|version|top10|top100|tpbs)$/.test(mode)) assert.equal(plain.toString('utf8'), body);
    });
  }

  test('/stats: unknown mode or format is 400, json has the counters', async () => {
    assert.equal((await httpGet(tr.httpPort, '/stats?mode=bogus', {}, BLESSED)).status, 400);
    assert.equal((await httpGet(tr.httpPort, '/stats?mode=tpbs&format=bogus', {}, BLESSED)).status, 400);
    const j = JSON.parse((await httpGet(tr.httpPort, '/stats?mode=json', {}, BLESSED)).body.toString('utf8')) as Record<string, unknown>;
    for (const k of ['torrents', 'peers', 'seeders', 'leechers', 'completed', 'refused']) assert.equal(typeof j[k], 'number', k);
  });
});

describe('-A with a CIDR, default ACL, access.stats_path', () => {
  test('-A 127.0.0.0/8 blesses 127.0.0.2 too', async () => {
    const tr = await start(['-A', '127.0.0.0/8']);
    assert.equal((await httpGet(tr.httpPort, '/stats', {}, STRANGER)).status, 200);
    assert.equal((await httpGet(tr.httpPort, '/scrape', {}, STRANGER)).status, 200);
    assert.equal((await httpGet(tr.httpPort, '/metrics', {}, STRANGER)).status, 200);
  });

  test('-A 127.0.0.1/32 does not bless 127.0.0.2', async () => {
    const tr = await start(['-A', '127.0.0.1/32']);
    assert.equal((await httpGet(tr.httpPort, '/stats', {}, STRANGER)).status, 403);
    assert.equal((await httpGet(tr.httpPort, '/stats', {}, BLESSED)).status, 200);
  });

  test('without -A the stats ACL is loopback', async () => {
    const tr = await start([]);
    assert.equal((await httpGet(tr.httpPort, '/stats', {}, BLESSED)).status, 200);
    assert.equal((await httpGet(tr.httpPort, '/scrape', {}, BLESSED)).status, 200);
  });

  test('access.stats_path (config file) and --stats-path move /stats', async () => {
    const tmp = makeTempDir('tracker-acl-');
    dirs.push(tmp);
    const conf = path.join(tmp.dir, 'opentracker.conf');
    fs.writeFileSync(conf, '# stats elsewhere\naccess.stats 127.0.0.1\naccess.stats_path hidden-stats\n');
    const tr = await start(['-f', conf], tmp.dir);
    assert.equal((await httpGet(tr.httpPort, '/hidden-stats?mode=peer', {}, BLESSED)).status, 200);
    assert.equal((await httpGet(tr.httpPort, '/hidden-stats?mode=peer', {}, STRANGER)).status, 403);
    assert.equal((await httpGet(tr.httpPort, '/stats', {}, BLESSED)).status, 404);

    const tr2 = await start(['-A', '127.0.0.1', '--stats-path', 'other']);
    assert.equal((await httpGet(tr2.httpPort, '/other?mode=torr', {}, BLESSED)).status, 200);
    assert.equal((await httpGet(tr2.httpPort, '/stats', {}, BLESSED)).status, 404);
  });
});
