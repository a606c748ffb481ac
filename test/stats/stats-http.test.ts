import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { once } from 'node:events';
import parseTorrent from 'parse-torrent';
import {
  HTML_NAME,
  SCRIPT_NAME,
  apiReleases,
  makeFixture,
  rowCount,
  startStatsFor,
  startStatsRig,
  type ApiRelease,
  type Fixture,
  type StatsRig,
} from '../helpers/stats-fixture.js';
import { serveStats, type FakeStats } from '../helpers/fake-tracker-feed.js';
import type { StatsHandle } from '../../apps/stats/src/stats-app.js';

/** A request exactly as written, bypassing the URL normalisation fetch does. */
async function rawGet(port: number, target: string): Promise<string> {
  const sock = net.connect(port, '127.0.0.1');
  await once(sock, 'connect');
  sock.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  let out = '';
  sock.on('data', (d: Buffer) => {
    out += d.toString('latin1');
  });
  await once(sock, 'end');
  return out;
}

describe('stats site over HTTP', () => {
  let f: Fixture;
  let rig: StatsRig;
  let stats: StatsHandle;
  let base: string;
  const state: FakeStats = { status: 200, body: '', gzip: 'silent' };
  const UNKNOWN = 'f'.repeat(40);
  const hash = (i: number): string => f.releases[i]!.infoHash;

  before(async () => {
    f = await makeFixture('http://127.0.0.1:1/announce');
    fs.writeFileSync(path.join(f.releasesDir, '.secret'), 'hidden');
    fs.writeFileSync(path.join(f.dir, 'outside.txt'), 'outside');
    fs.symlinkSync(path.join(f.dir, 'outside.txt'), path.join(f.releasesDir, 'link-out.bin'));

    state.body = [
      `${hash(0).toUpperCase()}:2:1:5`,
      'this line is garbage',
      `${hash(1)}:1:0:2`,
      `${hash(2)}:0:0:7`,
      `${UNKNOWN}:1:1:9`,
      '',
    ].join('\n');
    rig = await startStatsRig(f, await serveStats(state));
    ({ stats, base } = rig);
    await stats.pollNow();
  });

  after(() => rig?.close());

  test('silently gzipped body (no Content-Encoding, like Debian opentracker) is read; bad line skipped', async () => {
    const rel = await apiReleases(stats.port);
    assert.equal(rel.find((r) => r.infoHash === hash(0))!.downloads, 5);
    assert.equal(rel.find((r) => r.infoHash === hash(1))!.downloads, 2);
  });

  test('API lists every release with the contract fields and absolute URLs', async () => {
    const rel = await apiReleases(stats.port);
    const a = rel.find((r) => r.infoHash === hash(0))!;
    assert.deepEqual(
      Object.keys(a).sort(),
      [
        'downloads',
        'downloadsBitTorrent',
        'downloadsDirect',
        'fileUrl',
        'firstSeenAt',
        'infoHash',
        'known',
        'leechers',
        'magnet',
        'name',
        'publishedAt',
        'removedAt',
        'seeders',
        'size',
        'torrentUrl',
      ].sort(),
    );
    assert.equal(a.name, 'app-1.0.bin');
    assert.equal(a.fileUrl, 'http://stats.example/files/app-1.0.bin');
    assert.equal(a.torrentUrl, `http://stats.example/torrents/${f.releases[0]!.torrent}`);
    assert.match(a.magnet, new RegExp(`^magnet:\\?xt=urn:btih:${hash(0)}`));
    const removed = rel.find((r) => r.infoHash === hash(2))!;
    assert.equal(removed.name, SCRIPT_NAME);
    assert.ok(removed.removedAt);
    assert.equal(removed.fileUrl, null);
    assert.equal(removed.downloads, 7);
    const hand = rel.find((r) => r.infoHash === hash(3))!;
    assert.equal(hand.name, 'handmade.bin', 'hand-made .torrent read with parse-torrent');
    assert.equal(hand.fileUrl, 'http://stats.example/files/handmade.bin');
    const unknown = rel.find((r) => r.infoHash === UNKNOWN)!;
    assert.deepEqual([unknown.known, unknown.downloads], [false, 9]);
    const html = rel.find((r) => r.infoHash === hash(1))!;
    assert.equal(html.fileUrl, `http://stats.example/files/${encodeURIComponent(HTML_NAME)}`);
  });

  test('API detail has history; 400 for a malformed hash, 404 for an unknown one', async () => {
    const d = (await (await fetch(`${base}/api/releases/${hash(0)}`)).json()) as ApiRelease;
    assert.equal(d.history!.length, 1);
    assert.equal(d.history![0]!.downloads, 5);
    for (const [p, status] of [
      ['nothex', 400],
      ['a'.repeat(39), 400],
      ['0'.repeat(40), 404],
    ] as const) {
      const r = await fetch(`${base}/api/releases/${p}`);
      assert.equal(r.status, status, p);
      assert.match(r.headers.get('content-type') ?? '', /json/);
      assert.ok(((await r.json()) as { error: string }).error);
    }
  });

  test('CSV export quotes and defuses formulas', async () => {
    const r = await fetch(`${base}/api/releases.csv`);
    assert.match(r.headers.get('content-type') ?? '', /^text\/csv/);
    const text = await r.text();
    const lines = text.split('\r\n');
    assert.equal(
      lines[0],
      'infoHash,name,size,publishedAt,removedAt,downloads,downloadsBitTorrent,downloadsDirect,seeders,leechers,torrentUrl,magnet,fileUrl',
    );
    assert.ok(
      lines.some((l) => l.startsWith(`${hash(0)},app-1.0.bin,200000,`)),
      text,
    );
    assert.ok(lines.some((l) => l.includes(`,${SCRIPT_NAME},`)));
  });

  test('page: every release, counts, links, removed marked, names escaped, chart present', async () => {
    const r = await fetch(`${base}/`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /text\/html/);
    const page = await r.text();
    assert.equal(rowCount(page, hash(0)), '5');
    assert.match(page, /<strong>23<\/strong> downloads since/);
    assert.match(page, /<svg [^>]*role="img"/);
    assert.match(page, /id="removed-releases"[\s\S]*removed May 1, 2024/);
    assert.ok(!page.includes('<script>alert'), 'no raw script tag');
    assert.ok(!page.includes('<img src=x'), 'no raw img tag');
    assert.ok(page.includes('&lt;script&gt;alert(1)&lt;/script&gt;.bin'));
    assert.ok(page.includes('&lt;img src=x onerror=alert(1)&gt;.bin'));
    assert.match(page, new RegExp(`href="/torrents/${f.releases[0]!.torrent.replace(/\./g, '\\.')}"`));
    assert.match(page, /href="\/files\/app-1\.0\.bin"/);
    assert.match(page, /href="magnet:\?xt=urn:btih:/);
    assert.match(page, />195 KiB</);
    assert.match(page, /May 1, 2024/);
    assert.match(page, /id="last-updated">Last updated/);
  });

  test('per-release page with its own chart and history; 400/404', async () => {
    const page = await (await fetch(`${base}/release/${hash(2)}`)).text();
    assert.match(page, /<h1 class="name">&lt;script&gt;/);
    assert.match(page, /was removed on/);
    assert.match(page, /id="release-chart-title"/);
    assert.match(page, /<table id="history">/);
    assert.equal((await fetch(`${base}/release/zzz`)).status, 400);
    assert.equal((await fetch(`${base}/release/${'0'.repeat(40)}`)).status, 404);
  });

  test('cacheable: weak ETag, max-age, 304 on If-None-Match, new ETag after a poll', async () => {
    const r = await fetch(`${base}/`);
    const etag = r.headers.get('etag')!;
    assert.match(etag, /^W\/"/);
    assert.equal(r.headers.get('cache-control'), 'public, max-age=30');
    const again = await fetch(`${base}/`, { headers: { 'If-None-Match': etag } });
    assert.equal(again.status, 304);
    const api = await fetch(`${base}/api/releases`, { headers: { 'If-None-Match': etag } });
    assert.equal(api.status, 304);
    await stats.pollNow();
    assert.equal((await fetch(`${base}/`, { headers: { 'If-None-Match': etag } })).status, 200);
  });

  test('.torrent served as application/x-bittorrent; nothing outside the torrents folder', async () => {
    const r = await fetch(`${base}/torrents/${encodeURIComponent(f.releases[0]!.torrent)}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/x-bittorrent');
    // served with the site's current trackers and web seed; the info dict, hence the info_hash, unchanged
    const served = await parseTorrent(Buffer.from(await r.arrayBuffer()));
    const original = await parseTorrent(fs.readFileSync(path.join(f.torrentsDir, f.releases[0]!.torrent)));
    assert.equal(served.infoHash, original.infoHash);
    assert.deepEqual(original.announce, ['http://127.0.0.1:1/announce']);
    assert.deepEqual(served.announce, ['http://127.0.0.1:6969/announce', 'udp://127.0.0.1:6969/announce']);
    assert.deepEqual(served.urlList, ['http://stats.example/files/']);
    for (const p of ['..%2fmanifest.json', 'missing.torrent', '..%2f..%2fwhitelist', '.hidden.torrent']) {
      assert.equal((await fetch(`${base}/torrents/${p}`)).status, 404, p);
    }
  });

  test('release files: full, Range 206 with exact bytes, HTML-named file', async () => {
    const data = f.releases[0]!.content;
    const full = await fetch(`${base}/files/app-1.0.bin`);
    assert.equal(full.status, 200);
    assert.equal(full.headers.get('accept-ranges'), 'bytes');
    assert.deepEqual(Buffer.from(await full.arrayBuffer()), data);
    for (const [range, start, end] of [
      ['bytes=100-1099', 100, 1099],
      ['bytes=199990-', 199990, 199999],
      ['bytes=-10', 199990, 199999],
    ] as const) {
      const r = await fetch(`${base}/files/app-1.0.bin`, { headers: { Range: range } });
      assert.equal(r.status, 206, range);
      assert.equal(r.headers.get('content-range'), `bytes ${start}-${end}/${data.length}`);
      assert.deepEqual(Buffer.from(await r.arrayBuffer()), data.subarray(start, end + 1));
    }
    assert.equal((await fetch(`${base}/files/app-1.0.bin`, { headers: { Range: 'bytes=999999-' } })).status, 416);
    const h = await fetch(`${base}/files/${encodeURIComponent(HTML_NAME)}`);
    assert.equal(h.status, 200);
    assert.deepEqual(Buffer.from(await h.arrayBuffer()), f.releases[1]!.content);
  });

  test('release files: traversal, dotfiles, symlinks out and directories are refused', async () => {
    for (const p of [
      '..%2f..%2fetc%2fpasswd',
      '..%2F..%2Fetc%2Fpasswd',
      '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '.secret',
      'link-out.bin',
      '',
      '..%5c..%5cetc%5cpasswd',
      'app-1.0.bin%00.txt',
      'nope.bin',
    ]) {
      const r = await fetch(`${base}/files/${p}`);
      assert.ok(r.status === 404 || r.status === 400, `${p}: ${r.status}`);
      const body = await r.text();
      assert.ok(!body.includes('root:') && !body.includes('hidden') && !body.includes('outside'), p);
    }
    for (const target of ['/files/../../etc/passwd', '/files/../whitelist', '/files/./.secret']) {
      const res = await rawGet(stats.port, target);
      assert.match(res, /^HTTP\/1\.1 (400|404)/, target);
      assert.ok(!res.includes('root:'), target);
    }
  });

  test('healthz', async () => {
    const r = await fetch(`${base}/healthz`);
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as { ok: boolean }).ok, true);
  });

  test('tracker refusing (403) and then sending garbage: last data kept, warning shown, recovery clears it', async () => {
    // The full GET in the release-files test was a direct download: the row shows BitTorrent + direct.
    const direct = (await apiReleases(stats.port)).find((r) => r.infoHash === hash(0))!.downloadsDirect ?? 0;
    const shown = (bt: number): string => String(bt + direct);
    state.status = 403;
    await stats.pollNow();
    let page = await (await fetch(`${base}/`)).text();
    assert.equal(rowCount(page, hash(0)), shown(5));
    assert.match(page, /id="poll-warning"[^>]*>[^<]*HTTP 403/);
    state.status = 200;
    const good = state.body;
    state.body = '<html>nope</html>';
    await stats.pollNow();
    page = await (await fetch(`${base}/`)).text();
    assert.match(page, /not a txtp dump/);
    assert.equal(rowCount(page, hash(0)), shown(5));
    // Recovery, with a header-declared gzip this time, and the counter moving on.
    state.body = good.replace(`${hash(0).toUpperCase()}:2:1:5`, `${hash(0)}:2:1:6`);
    state.gzip = 'header';
    await stats.pollNow();
    page = await (await fetch(`${base}/`)).text();
    assert.doesNotMatch(page, /id="poll-warning"/);
    assert.equal(rowCount(page, hash(0)), shown(6));
    state.gzip = 'silent';
  });

  test('an invalid manifest keeps the last good copy', async () => {
    const good = fs.readFileSync(f.manifestPath);
    fs.writeFileSync(f.manifestPath, '{"version":1,"releases":[');
    try {
      await new Promise((r) => setTimeout(r, 2_100));
      const rel = await apiReleases(stats.port);
      assert.equal(rel.find((r) => r.infoHash === hash(0))!.name, 'app-1.0.bin');
    } finally {
      fs.writeFileSync(f.manifestPath, good);
    }
  });
});

test('unknown hashes can be hidden', async () => {
  const f = await makeFixture('http://127.0.0.1:1/announce');
  const rig = await startStatsRig(
    f,
    await serveStats({ status: 200, body: `${'e'.repeat(40)}:1:1:3\n${f.releases[0]!.infoHash}:1:0:1\n`, gzip: 'none' }),
    ['--unknown-hashes', 'hide'],
  );
  const { stats } = rig;
  try {
    await stats.pollNow();
    const rel = await apiReleases(stats.port);
    assert.equal(
      rel.find((r) => r.infoHash === 'e'.repeat(40)),
      undefined,
    );
    assert.equal((await fetch(`http://127.0.0.1:${stats.port}/api/releases/${'e'.repeat(40)}`)).status, 404);
    const page = await (await fetch(`http://127.0.0.1:${stats.port}/`)).text();
    assert.ok(!page.includes('e'.repeat(40)));
    assert.match(page, /<strong>1<\/strong> downloads since/);
  } finally {
    await rig.close();
  }
});

test('a missing data folder and an unreachable tracker still give a page', async () => {
  const f = await makeFixture('http://127.0.0.1:1/announce');
  fs.rmSync(f.manifestPath);
  fs.rmSync(f.torrentsDir, { recursive: true });
  const stats = await startStatsFor(f, 'http://127.0.0.1:9/stats?mode=tpbs&format=txtp');
  try {
    await stats.pollNow();
    const r = await fetch(`http://127.0.0.1:${stats.port}/`);
    assert.equal(r.status, 200);
    const page = await r.text();
    assert.match(page, /No data from the tracker yet/);
    assert.match(page, /id="poll-warning"/);
    assert.match(page, /No releases published yet/);
  } finally {
    await stats.close();
    f.cleanup();
  }
});
