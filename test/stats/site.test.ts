import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import parseTorrent from 'parse-torrent';
import type { Manifest, ManifestRelease } from '../../libs/common/src/manifest.js';
import type { StatsHandle } from '../../apps/stats/src/stats-app.js';
import { HTML_NAME, makeFixture, startStatsFor, startStatsRig, type StatsRig } from '../helpers/stats-fixture.js';
import { serveStats, type FakeStats } from '../helpers/fake-tracker-feed.js';
import { MULTI_FILES, MULTI_NAME, makeSiteFixture, type SiteFixture } from '../helpers/stats-site-fixture.js';

const NOW = Date.parse('2024-06-10T15:00:00Z');
const TODAY = '2024-06-10T09:00:00.000Z';

describe('public site routes', () => {
  let f: SiteFixture;
  let rig: StatsRig;
  let stats: StatsHandle;
  let base: string;
  const state: FakeStats = { status: 200, body: '', gzip: 'none' };
  const hash = (i: number): string => f.releases[i]!.infoHash;
  const get = async (p: string, init?: RequestInit): Promise<Response> => fetch(`${base}${p}`, init);

  before(async () => {
    f = await makeSiteFixture('http://old.example:1/announce', TODAY);
    state.body = `${hash(0)}:2:1:1234\n${hash(1)}:1:0:56\n${f.multiHash}:0:1:7\n`;
    rig = await startStatsRig(
      f,
      await serveStats(state),
      [
        '--title',
        'Acme downloads',
        '--base-url',
        'https://dl.example.org',
        '--announce',
        'https://tracker.example.org/announce',
        '--announce',
        'udp://tracker.example.org:6969/announce',
        '--web-seed',
        'https://mirror.example.net/acme',
      ],
      { now: () => NOW },
    );
    ({ stats, base } = rig);
    await stats.pollNow();
  });

  after(() => rig?.close());

  test('home: explanation, feed link, primary download, search, sort', async () => {
    const page = await (await get('/')).text();
    assert.match(page, /<link rel="alternate" type="application\/atom\+xml"[^>]*href="\/feed\.xml">/);
    assert.match(page, /id="how-to-download"[^>]*>.*\.torrent.*magnet/s);
    assert.match(page, /<a class="button primary file" href="\/files\/app-1\.0\.bin" download>/);
    assert.match(
      page,
      new RegExp(`<a class="button primary torrent" href="/torrents/${f.multiTorrent}">`),
      'multi-file: the .torrent is the primary action',
    );
    const order = (html: string): string[] => [...html.matchAll(/<tr class="release" data-infohash="([0-9a-f]{40})"/g)].map((m) => m[1]!);
    assert.deepEqual(order(page).slice(0, 3), [f.multiHash, hash(3), hash(1)], 'newest first (the hand-made torrent dates from May 3)');
    assert.deepEqual(order(await (await get('/?sort=downloads')).text()).slice(0, 2), [hash(0), hash(1)]);
    assert.deepEqual(
      order(await (await get('/?sort=downloads&order=asc')).text())[0],
      hash(3),
      'fewest first: the hand-made one, 0 downloads',
    );
    assert.deepEqual(order(await (await get('/?sort=name')).text())[0], hash(1), '"<img..." sorts first by name');
    assert.deepEqual(order(await (await get('/?sort=size')).text())[0], hash(0));
    const found = await (await get('/?q=APP-1')).text();
    assert.deepEqual(order(found), [hash(0)]);
    assert.match(found, /value="APP-1"/);
    assert.match(found, /1 release matching “APP-1”/);
    assert.deepEqual(order(await (await get(`/?q=${f.multiHash.slice(0, 8)}`)).text()), [f.multiHash], 'info hash prefix');
    assert.match(await (await get('/?q=nothing-like-this')).text(), /id="no-match"/);
    // junk parameters fall back to the defaults instead of failing
    assert.equal((await get('/?sort=evil&order=x&page=-3&q[]=1')).status, 200);
  });

  test('home: pages of 50 past 50 releases', async () => {
    const g = await makeFixture('http://127.0.0.1:1/announce');
    const fake2 = await serveStats({ status: 200, body: '', gzip: 'none' });
    const rels: ManifestRelease[] = Array.from({ length: 120 }, (_, i) => ({
      name: `rel-${String(i).padStart(3, '0')}.bin`,
      path: `rel-${String(i).padStart(3, '0')}.bin`,
      size: 1000 + i,
      infoHash: (i + 1).toString(16).padStart(40, '0'),
      magnet: '',
      pieceLength: 16384,
      publishedAt: new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString(),
      sha256: null,
      torrent: 'none.torrent',
      removedAt: null,
    }));
    fs.writeFileSync(g.manifestPath, JSON.stringify({ version: 1, releases: rels } satisfies Manifest));
    for (const t of fs.readdirSync(g.torrentsDir)) fs.rmSync(path.join(g.torrentsDir, t));
    const s2 = await startStatsFor(g, fake2.url);
    try {
      const b = `http://127.0.0.1:${s2.port}`;
      const rows = (html: string): number => (html.match(/<tr class="release"/g) ?? []).length;
      const p1 = await (await fetch(`${b}/`)).text();
      assert.equal(rows(p1), 50);
      assert.match(p1, /Page 1 of 3/);
      assert.match(p1, /<a rel="next" href="\/\?page=2">/);
      assert.ok(p1.includes('rel-119.bin') && !p1.includes('rel-069.bin'));
      const p3 = await (await fetch(`${b}/?page=3`)).text();
      assert.equal(rows(p3), 20);
      assert.ok(p3.includes('rel-000.bin'));
      assert.equal(rows(await (await fetch(`${b}/?page=99`)).text()), 20, 'past the end: the last page');
      assert.equal(rows(await (await fetch(`${b}/?q=rel-11`)).text()), 10);
    } finally {
      await s2.close();
      await fake2.close();
      g.cleanup();
    }
  });

  test('release page: SHA-256 and info hash to copy, files with direct links, chart fitted to the age, totals', async () => {
    const one = await (await get(`/release/${hash(0)}`)).text();
    assert.match(one, new RegExp(`<code class="hash" id="sha256" data-copy="SHA-256">${f.sums.get('app-1.0.bin')}</code>`));
    assert.match(one, new RegExp(`<code class="hash" id="infohash" data-copy="info hash">${hash(0)}</code>`));
    assert.match(one, /<strong>1,234<\/strong> since May 1, 2024/);
    const bars = (html: string): number => (/<svg [^>]*chart-wide[\s\S]*?<\/svg>/.exec(html)?.[0].match(/<rect class="bar"/g) ?? []).length;
    assert.equal(bars(one), 41, 'May 1 to June 10');

    let multi = await (await get(`/release/${f.multiHash}`)).text();
    for (let i = 0; i < 100 && multi.includes('id="sums-pending"'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      multi = await (await get(`/release/${f.multiHash}`)).text();
    }
    assert.doesNotMatch(multi, /id="sums-pending"/, 'the checksums of the folder are computed within 10 s');
    assert.equal(bars(multi), 1, 'published today: one day, not 90');
    assert.match(multi, /Files \(3\)/);
    for (const segs of MULTI_FILES) {
      const href = `/files/${[MULTI_NAME, ...segs].map(encodeURIComponent).join('/')}`;
      assert.ok(multi.includes(`href="${href.replace(/&/g, '&amp;')}"`), href);
      const r = await get(href);
      assert.equal(r.status, 200, href);
      const data = fs.readFileSync(path.join(f.releasesDir, MULTI_NAME, ...segs));
      assert.deepEqual(Buffer.from(await r.arrayBuffer()), data);
      assert.ok(multi.includes(`>${createHash('sha256').update(data).digest('hex')}</code>`), `SHA-256 of ${segs.join('/')} shown`);
    }
    assert.doesNotMatch(multi, /id="sha256"/, 'no single checksum for a folder');
  });

  test('SHA256SUMS: sha256sum -c passes in a folder of the downloaded files; per release too', async () => {
    const r = await get('/SHA256SUMS');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
    let sums = await r.text();
    for (let i = 0; i < 100 && sums.trim().split('\n').length < 5; i++) {
      await new Promise((res) => setTimeout(res, 100));
      sums = await (await get('/SHA256SUMS')).text();
    }
    assert.equal(sums.trim().split('\n').length, 5, `two files and a folder of three: ${sums}`);
    assert.ok(sums.includes(`  ${MULTI_NAME}/docs/guide & notes.txt\n`), sums);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sums-'));
    try {
      const names = ['app-1.0.bin', HTML_NAME, ...MULTI_FILES.map((segs) => [MULTI_NAME, ...segs].join('/'))];
      for (const name of names) {
        const file = await get(`/files/${name.split('/').map(encodeURIComponent).join('/')}`);
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), Buffer.from(await file.arrayBuffer()));
      }
      fs.writeFileSync(path.join(dir, 'SHA256SUMS'), sums);
      const out = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: dir }).toString();
      assert.match(out, /app-1\.0\.bin: OK/);
      assert.equal(
        out
          .trim()
          .split('\n')
          .filter((l) => l.endsWith(': OK')).length,
        5,
        out,
      );
      fs.writeFileSync(path.join(dir, 'app-1.0.bin'), 'tampered');
      assert.throws(() => execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: dir, stdio: 'pipe' }), 'a changed file fails the check');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(await (await get(`/release/${hash(0)}/SHA256SUMS`)).text(), `${f.sums.get('app-1.0.bin')}  app-1.0.bin\n`);
    const folder = await (await get(`/release/${f.multiHash}/SHA256SUMS`)).text();
    assert.equal(folder.trim().split('\n').length, 3);
    assert.equal((await get(`/release/${'0'.repeat(40)}/SHA256SUMS`)).status, 404);
  });

  test('Atom feed: one entry per live release, .torrent enclosure and magnet, linked from every page', async () => {
    const r = await get('/feed.xml');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/atom\+xml/);
    const xml = await r.text();
    assert.ok(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"'));
    const entries = xml.split('<entry>').slice(1);
    assert.equal(entries.length, 4, 'app, html-named, hand-made, multi-file; not the removed one');
    assert.match(entries[0]!, new RegExp(`<id>urn:btih:${f.multiHash}</id>`));
    for (const e of entries) {
      const enc = /<link rel="enclosure" type="application\/x-bittorrent" href="https:\/\/dl\.example\.org(\/torrents\/[^"]+)"/.exec(e);
      assert.ok(enc, e);
      const btih = /<id>urn:btih:([0-9a-f]{40})<\/id>/.exec(e)![1]!;
      const t = await parseTorrent(Buffer.from(await (await get(enc[1]!.replace(/&amp;/g, '&'))).arrayBuffer()));
      assert.equal(t.infoHash, btih, 'the enclosure is the release torrent');
      assert.match(e, new RegExp(`<link rel="related" href="magnet:\\?xt=urn:btih:${btih}`));
    }
    for (const p of ['/', `/release/${hash(0)}`, '/no/such/page']) {
      assert.match(await (await get(p)).text(), /<link rel="alternate" type="application\/atom\+xml"/, p);
    }
  });

  test('badge: shields-style SVG, cacheable (ETag, 304), CORS; JSON per release with CORS', async () => {
    // the checksum test's full GETs count as direct downloads: the badge shows the API's figure, whatever it is
    const api = await get(`/api/releases/${hash(0)}`);
    assert.equal(api.headers.get('access-control-allow-origin'), '*');
    const downloads = ((await api.json()) as { downloads: number }).downloads;
    assert.ok(downloads >= 1234, `at least the tracker's 1234, got ${downloads}`);
    const shown = downloads.toLocaleString('en-US');
    const r = await get(`/badge/${hash(0).toUpperCase()}.svg`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'image/svg+xml; charset=utf-8');
    assert.equal(r.headers.get('access-control-allow-origin'), '*');
    assert.equal(r.headers.get('cache-control'), 'public, max-age=300');
    const svg = await r.text();
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg" width="'), svg);
    assert.match(svg, new RegExp(`height="20" role="img" aria-label="downloads: ${shown}">`));
    const etag = r.headers.get('etag')!;
    assert.equal((await get(`/badge/${hash(0)}.svg`, { headers: { 'If-None-Match': etag } })).status, 304);
    assert.match(await (await get(`/badge/${hash(0)}.svg?label=<b>get`)).text(), new RegExp(`aria-label="&lt;b&gt;get: ${shown}"`));
    const missing = await get(`/badge/${'0'.repeat(40)}.svg`);
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /not found/);
    assert.equal((await get('/badge/xyz.svg')).status, 404);
    const shield = (await (await get(`/badge/${hash(0)}.json`)).json()) as { schemaVersion: number; message: string };
    assert.deepEqual([shield.schemaVersion, shield.message], [1, shown]);
  });

  test('moving the site: served .torrent files and magnet links carry the current URLs, same info_hash', async () => {
    const files: [string, boolean][] = [
      [f.releases[0]!.torrent, true],
      [f.multiTorrent, true],
      [f.releases[2]!.torrent, false],
    ];
    for (const [name, live] of files) {
      const r = await get(`/torrents/${encodeURIComponent(name)}`);
      assert.equal(r.status, 200, name);
      assert.match(r.headers.get('content-disposition') ?? '', /^attachment; filename=/);
      const served = await parseTorrent(Buffer.from(await r.arrayBuffer()));
      const original = await parseTorrent(fs.readFileSync(path.join(f.torrentsDir, name)));
      assert.equal(served.infoHash, original.infoHash, name);
      assert.deepEqual(original.announce, ['http://old.example:1/announce']);
      assert.deepEqual(served.announce, ['https://tracker.example.org/announce', 'udp://tracker.example.org:6969/announce']);
      assert.deepEqual(served.urlList, live ? ['https://dl.example.org/files/', 'https://mirror.example.net/acme/'] : [], name);
    }
    const page = await (await get('/')).text();
    const magnet = new RegExp(`href="(magnet:\\?xt=urn:btih:${hash(0)}[^"]*)"`).exec(page)![1]!.replace(/&amp;/g, '&');
    const m = new URLSearchParams(magnet.slice('magnet:?'.length));
    assert.deepEqual(m.getAll('tr'), ['https://tracker.example.org/announce', 'udp://tracker.example.org:6969/announce']);
    assert.deepEqual(m.getAll('ws'), ['https://dl.example.org/files/', 'https://mirror.example.net/acme/']);
    assert.ok(!page.includes('old.example'), 'no old tracker left on the page');
  });

  test('favicon, stylesheet and script are served and cacheable; pages allow only them', async () => {
    for (const p of ['/favicon.ico', '/favicon.svg', '/site.css', '/site.js']) {
      const r = await get(p);
      assert.equal(r.status, 200, p);
      assert.equal(r.headers.get('cache-control'), 'public, max-age=86400', p);
      assert.equal((await get(p, { headers: { 'If-None-Match': r.headers.get('etag')! } })).status, 304, p);
    }
    const csp = (await get('/')).headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe/);
  });
});
