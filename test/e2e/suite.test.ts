import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import bencode from 'bencode';
import { ARIA2_ISOLATED, hasAria2 } from '../helpers/aria2.js';
import { freePort } from '../helpers/free-port.js';
import { collectText, spawnSuite } from '../helpers/suite-process.js';

/**
 * The suite as a new user runs it: the `npm start` launcher on a fresh data folder, a 20 MiB release copied
 * into releases/, then real BitTorrent downloads with aria2c: (a) from the web seed alone, no peer online;
 * (b) from a seeding aria2c through the tracker alone (web seed stripped, DHT/PEX/LPD off). Checksums match
 * and the public page and API count the downloads.
 */
const skip =
  !hasAria2 && process.env['CI'] !== 'true' ? 'aria2c is not installed (apt-get install aria2); CI=true makes this a failure' : false;

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== null && v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

function aria2(args: string[], log: string): ChildProcess {
  const child = spawn(
    'aria2c',
    [...ARIA2_ISOLATED, '--disable-ipv6=true', '--allow-overwrite=true', '--auto-file-renaming=false', '--bt-stop-timeout=60', ...args],
    { stdio: ['ignore', fs.openSync(log, 'a'), fs.openSync(log, 'a')] },
  );
  return child;
}

function exited(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`aria2c still running after ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(t);
      resolve(code ?? -1);
    });
  });
}

interface ApiRelease {
  infoHash: string;
  name: string;
  downloads: number;
  torrentUrl: string | null;
  fileUrl: string | null;
  magnet: string;
}

describe('the suite end to end (npm start)', { skip, timeout: 240_000 }, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'suite-e2e-'));
  const releases = path.join(dir, 'releases');
  const children: ChildProcess[] = [];
  let suite: ChildProcess;
  let statsBase = '';
  let output: () => string = () => '';
  const fileName = 'app 1.0 (linux).bin';
  const source = path.join(dir, 'source.bin');

  before(async () => {
    fs.mkdirSync(releases);
    fs.writeFileSync(source, crypto.randomBytes(20 * 1024 * 1024));
    const trackerPort = await freePort();
    const statsPort = await freePort();
    statsBase = `http://127.0.0.1:${statsPort}`;
    suite = spawnSuite(dir, trackerPort, statsPort, { STATS_ARGS: '--poll-interval 1' });
    output = collectText(suite);
    await waitFor('the stats page', async () => ((await fetch(`${statsBase}/healthz`)).ok ? true : null), 30_000);
  });

  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    if (suite.exitCode === null) {
      process.kill(-suite.pid!, 'SIGKILL');
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function release(): Promise<ApiRelease | null> {
    const list = (await (await fetch(`${statsBase}/api/releases`)).json()) as ApiRelease[];
    return list.find((r) => r.name === fileName) ?? null;
  }

  test('a file copied into releases/ is published, downloaded twice and counted', async () => {
    fs.copyFileSync(source, path.join(releases, fileName));
    const rel = await waitFor('the release on the page', release, 60_000);
    assert.ok(rel.torrentUrl, 'torrent link');
    const torrentRes = await fetch(rel.torrentUrl);
    assert.equal(torrentRes.headers.get('content-type'), 'application/x-bittorrent');
    const torrentBuf = Buffer.from(await torrentRes.arrayBuffer());
    const torrentFile = path.join(dir, 'release.torrent');
    fs.writeFileSync(torrentFile, torrentBuf);
    const meta = bencode.decode(torrentBuf) as Record<string, unknown>;
    assert.ok(meta['url-list'], 'the torrent carries a web seed');
    const whitelist = fs.readFileSync(path.join(dir, 'whitelist'), 'utf8');
    assert.match(whitelist, new RegExp(`^${rel.infoHash}`, 'im'), 'hash whitelisted');

    // (a) nobody seeds yet: the web seed alone
    const a = path.join(dir, 'dl-webseed');
    // listening ports from the kernel: a fixed one falls in the ephemeral range, where any connection of a test
    // running alongside can hold it, and aria2c cannot listen
    const webOnly = aria2(
      [`--dir=${a}`, '--seed-time=0', `--listen-port=${await freePort('::')}`, torrentFile],
      path.join(dir, 'aria2-a.log'),
    );
    children.push(webOnly);
    assert.equal(await exited(webOnly, 90_000), 0, `aria2c (web seed) failed:\n${fs.readFileSync(path.join(dir, 'aria2-a.log'), 'utf8')}`);
    assert.equal(sha256(path.join(a, fileName)), sha256(source), 'web-seed download checksum');

    // (b) the tracker alone: the same torrent without its web seed (url-list is outside the info dict,
    // so the info_hash is unchanged), a seeding aria2c on the release folder, a fresh leecher
    delete meta['url-list'];
    const trackerOnly = path.join(dir, 'tracker-only.torrent');
    fs.writeFileSync(trackerOnly, bencode.encode(meta));
    const seederPort = await freePort('::');
    const seeder = aria2(
      [`--dir=${releases}`, '--check-integrity=true', '--seed-ratio=0.0', `--listen-port=${seederPort}`, trackerOnly],
      path.join(dir, 'aria2-seed.log'),
    );
    children.push(seeder);
    await waitFor(
      'the seeder on the tracker',
      async () => {
        const r = await release();
        const all = (await (await fetch(`${statsBase}/api/releases/${rel.infoHash}`)).json()) as { seeders: number };
        return r && all.seeders >= 1 ? true : null;
      },
      60_000,
    );
    const b = path.join(dir, 'dl-tracker');
    let leecherPort = await freePort('::');
    while (leecherPort === seederPort) leecherPort = await freePort('::');
    const leecher = aria2([`--dir=${b}`, '--seed-time=0', `--listen-port=${leecherPort}`, trackerOnly], path.join(dir, 'aria2-b.log'));
    children.push(leecher);
    assert.equal(await exited(leecher, 90_000), 0, `aria2c (tracker) failed:\n${fs.readFileSync(path.join(dir, 'aria2-b.log'), 'utf8')}`);
    assert.equal(sha256(path.join(b, fileName)), sha256(source), 'peer download checksum');
    seeder.kill('SIGTERM');

    // both finished downloads announced completion; the page counts them after a poll
    const counted = await waitFor(
      'the downloads on the page',
      async () => {
        const r = await release();
        return r && r.downloads >= 2 ? r : null;
      },
      30_000,
    );
    assert.ok(counted.downloads >= 2);
    const page = await (await fetch(`${statsBase}/`)).text();
    assert.ok(page.includes('app 1.0 (linux).bin'), 'release listed on the page');
    const one = (await (await fetch(`${statsBase}/api/releases/${rel.infoHash}`)).json()) as { downloads: number };
    assert.ok(one.downloads >= 2);
  });

  test('SIGTERM stops the whole suite cleanly and the tracker keeps its counts', async () => {
    const done = new Promise<number | null>((r) => suite.once('exit', (code) => r(code)));
    suite.kill('SIGTERM');
    assert.equal(await done, 0, output().slice(-2000));
    const state = fs.readFileSync(path.join(dir, 'data', 'tracker.state'), 'utf8');
    assert.match(state, /^[0-9A-F]{40}:\d+:[1-9]\d*$/m, 'state file holds a download count');
  });
});
