import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import createTorrent, { type CreateTorrentOptions } from 'create-torrent';
import { apiReleases, makeFixture, startStatsFor, startStatsRig } from '../helpers/stats-fixture.js';
import { serveStats, type FakeStats } from '../helpers/fake-tracker-feed.js';
import { ARIA2_ISOLATED, hasAria2 } from '../helpers/aria2.js';

/** A GET that reads the whole body (or aborts after `abortAfter` bytes), with a chosen local address. */
function get(
  port: number,
  p: string,
  opts: { headers?: Record<string, string>; localAddress?: string; abortAfter?: number } = {},
): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port, path: p, headers: opts.headers, localAddress: opts.localAddress, agent: false },
      (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          if (opts.abortAfter !== undefined && bytes >= opts.abortAfter) {
            req.destroy();
            resolve({ status: res.statusCode ?? 0, bytes });
          }
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0, bytes }));
      },
    );
    req.on('error', (e) => (opts.abortAfter !== undefined ? resolve({ status: 0, bytes: 0 }) : reject(e)));
  });
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 100));

test('direct downloads: a full GET counts once as direct, Range pieces and aborted downloads never, one address at most the limit', async () => {
  const f = await makeFixture('http://127.0.0.1:1/announce');
  const state: FakeStats = { status: 200, body: `${f.releases[0]!.infoHash}:1:0:4\n`, gzip: 'none' };
  const rig = await startStatsRig(f, await serveStats(state), ['--direct-limit', '3', '--trusted-proxy', '127.0.0.1']);
  const { stats } = rig;
  const a = f.releases[0]!;
  const size = a.content.length;
  try {
    await stats.pollNow();
    const one = await get(stats.port, '/files/app-1.0.bin', { headers: { 'X-Forwarded-For': '203.0.113.1' } });
    assert.deepEqual(one, { status: 200, bytes: size });
    await settle();
    let r = (await apiReleases(stats.port)).find((x) => x.infoHash === a.infoHash)!;
    assert.deepEqual([r.downloads, r.downloadsBitTorrent, r.downloadsDirect], [5, 4, 1]);

    // A web seed: pieces by Range from a new address, covering the whole file in pieces: nothing.
    for (let off = 0; off < size; off += 16384) {
      const end = Math.min(size, off + 16384) - 1;
      const p = await get(stats.port, '/files/app-1.0.bin', {
        headers: { Range: `bytes=${off}-${end}`, 'X-Forwarded-For': '203.0.113.2' },
      });
      assert.equal(p.status, 206);
    }
    // HEAD and an aborted full download: nothing.
    await new Promise<void>((res) =>
      http
        .request(
          {
            host: '127.0.0.1',
            port: stats.port,
            path: '/files/app-1.0.bin',
            method: 'HEAD',
            headers: { 'X-Forwarded-For': '203.0.113.3' },
          },
          (x) => {
            x.resume();
            x.on('end', res);
          },
        )
        .end(),
    );
    await get(stats.port, '/files/app-1.0.bin', { headers: { 'X-Forwarded-For': '203.0.113.4' }, abortAfter: 1 });
    await settle();
    r = (await apiReleases(stats.port)).find((x) => x.infoHash === a.infoHash)!;
    assert.equal(r.downloadsDirect, 1);

    // 100 complete downloads from one address (and its /64 for IPv6): at most the limit.
    for (let i = 0; i < 100; i++) await get(stats.port, '/files/app-1.0.bin', { headers: { 'X-Forwarded-For': '198.51.100.7' } });
    for (let i = 0; i < 20; i++) await get(stats.port, '/files/app-1.0.bin', { headers: { 'X-Forwarded-For': `2001:db8:1:2::${i + 1}` } });
    // A Range covering the whole file is a complete download.
    await get(stats.port, '/files/app-1.0.bin', { headers: { Range: 'bytes=0-', 'X-Forwarded-For': '192.0.2.9' } });
    await settle();
    r = (await apiReleases(stats.port)).find((x) => x.infoHash === a.infoHash)!;
    assert.equal(r.downloadsDirect, 1 + 3 + 3 + 1);
    assert.equal(r.downloads, 4 + 8);
    const d = (await (await fetch(`http://127.0.0.1:${stats.port}/api/releases/${a.infoHash}`)).json()) as {
      history: { downloadsDirect: number; downloadsBitTorrent: number }[];
    };
    assert.equal(
      d.history.reduce((s, h) => s + h.downloadsDirect, 0),
      8,
    );
  } finally {
    await rig.close();
  }
});

test('/files serves only live published files; a dot-folder above the data folder does not matter', async () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'files-'));
  const hidden = path.join(parent, '.hidden-parent');
  fs.mkdirSync(hidden);
  const f = await makeFixture('http://127.0.0.1:1/announce');
  // Move the whole fixture below a dot-folder.
  const moved = path.join(hidden, 'site');
  fs.renameSync(f.dir, moved);
  const g = {
    ...f,
    dir: moved,
    releasesDir: f.releasesDir.replace(f.dir, moved),
    torrentsDir: f.torrentsDir.replace(f.dir, moved),
    manifestPath: f.manifestPath.replace(f.dir, moved),
    whitelistPath: f.whitelistPath.replace(f.dir, moved),
    dbPath: f.dbPath.replace(f.dir, moved),
  };
  fs.writeFileSync(path.join(g.releasesDir, 'draft.part'), 'draft');
  fs.writeFileSync(path.join(g.releasesDir, 'notes.txt~'), 'notes');
  fs.writeFileSync(path.join(g.releasesDir, 'unpublished.bin'), 'not in the manifest');
  fs.writeFileSync(path.join(g.releasesDir, 'app-0.9.bin'), 'a removed release put back by hand');
  const fake = await serveStats({ status: 200, body: '', gzip: 'none' });
  const stats = await startStatsFor(g, fake.url);
  try {
    const ok = await fetch(`http://127.0.0.1:${stats.port}/files/app-1.0.bin`);
    assert.equal(ok.status, 200);
    assert.equal(Buffer.from(await ok.arrayBuffer()).length, f.releases[0]!.content.length);
    for (const p of ['draft.part', 'notes.txt~', 'unpublished.bin', 'app-0.9.bin']) {
      const r = await fetch(`http://127.0.0.1:${stats.port}/files/${p}`);
      assert.equal(r.status, 404, p);
    }
  } finally {
    await stats.close();
    await fake.close();
    fs.rmSync(parent, { recursive: true, force: true });
  }
});

test('junk hashes: an open tracker listing 5000 unknown hashes adds at most --max-unknown-hashes rows', async () => {
  const f = await makeFixture('http://127.0.0.1:1/announce');
  const lines = [`${f.releases[0]!.infoHash}:1:0:2`];
  for (let i = 0; i < 5000; i++) lines.push(`${i.toString(16).padStart(40, '0')}:1:0:1`);
  const fake = await serveStats({ status: 200, body: lines.join('\n') + '\n', gzip: 'none' });
  const stats = await startStatsFor(f, fake.url, ['--max-unknown-hashes', '10']);
  try {
    await stats.pollNow();
    await stats.pollNow();
    const rel = await apiReleases(stats.port);
    assert.equal(rel.find((x) => x.infoHash === f.releases[0]!.infoHash)!.downloads, 2);
    const db = new Database(f.dbPath, { readonly: true });
    const n = (db.prepare('SELECT count(*) AS n FROM hashes').get() as { n: number }).n;
    db.close();
    assert.ok(n <= f.releases.length + 10, `${n} rows`);
  } finally {
    await stats.close();
    await fake.close();
    f.cleanup();
  }
});

test('a web-seed client (aria2c, web seed only) gets the file by Range requests and counts nothing direct', {
  skip: !hasAria2 && process.env['CI'] !== 'true' ? 'aria2c is not installed' : false,
  timeout: 60_000,
}, async () => {
  const f = await makeFixture('http://127.0.0.1:1/announce');
  const fake = await serveStats({ status: 200, body: '', gzip: 'none' });
  const stats = await startStatsFor(f, fake.url);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'aria-ws-'));
  try {
    const a = f.releases[0]!;
    const make = promisify(createTorrent) as (input: Buffer, opts: CreateTorrentOptions) => Promise<Uint8Array>;
    const torrent = await make(Buffer.from(a.content), {
      name: a.name,
      announceList: [['http://127.0.0.1:1/announce']],
      pieceLength: 16384,
      urlList: [`http://127.0.0.1:${stats.port}/files/${a.name}`],
    } as CreateTorrentOptions);
    const tfile = path.join(out, 'ws.torrent');
    fs.writeFileSync(tfile, torrent);
    const child = spawn(
      'aria2c',
      [...ARIA2_ISOLATED, '--seed-time=0', '--bt-stop-timeout=30', '--check-integrity=true', '-d', out, tfile],
      { stdio: 'ignore' },
    );
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 0);
    assert.deepEqual(fs.readFileSync(path.join(out, a.name)), a.content);
    await settle();
    const r = (await apiReleases(stats.port)).find((x) => x.infoHash === a.infoHash)!;
    assert.equal(r.downloadsDirect, 0);
  } finally {
    await stats.close();
    await fake.close();
    fs.rmSync(out, { recursive: true, force: true });
    f.cleanup();
  }
});
