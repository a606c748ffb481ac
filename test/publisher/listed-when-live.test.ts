import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { announceText } from '../helpers/announce.js';
import { reapAtExit } from '../helpers/child-reaper.js';
import { freePort } from '../helpers/free-port.js';
import { REPO_ROOT } from '../helpers/repo-paths.js';
import { collectText, spawnSuite } from '../helpers/suite-process.js';
import { stopChild as stop } from '../helpers/stop-child.js';
import { startTrackerProcess } from '../helpers/tracker-process.js';

/**
 * The page reads the manifest: from the moment the manifest lists a release, the tracker must accept announces
 * for its info_hash (a visitor who clicks at once must not be told "not authorized"). Checked with the real
 * apps: tracker and publisher as separate processes (SIGHUP through the pid file), and the suite in one process.
 */

interface Entry {
  readonly infoHash: string;
  readonly path: string;
  readonly removedAt: string | null;
}

function listed(manifestPath: string): Entry[] {
  try {
    return (JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { releases: Entry[] }).releases.filter((r) => r.removedAt === null);
  } catch {
    return []; // not written yet (the publisher writes it atomically, so never half)
  }
}

function refused(body: string): boolean {
  return body.includes('failure reason') || !body.includes('interval');
}

/**
 * Polls the manifest as fast as a page could, and announces for each release the moment it appears.
 * Resolves with the info_hashes of the releases seen, in order, once `count` of them were checked.
 */
async function announceOnceListed(
  manifestPath: string,
  trackerBase: string,
  count: number,
  keys: ReadonlySet<string>,
  timeoutMs = 60_000,
): Promise<string[]> {
  const seen: string[] = [];
  const end = Date.now() + timeoutMs;
  while (seen.length < count) {
    if (Date.now() > end) throw new Error(`only ${seen.length} of ${count} releases listed within ${timeoutMs} ms`);
    for (const r of listed(manifestPath)) {
      if (!keys.has(r.path) || seen.includes(r.infoHash)) continue;
      const body = await announceText(trackerBase, r.infoHash, {
        peer: `seen${seen.length}`,
        port: 6881 + seen.length,
        left: 0,
        event: 'started',
      });
      assert.ok(!refused(body), `${r.path} (${r.infoHash}) is listed but the tracker refuses it: ${body}`);
      seen.push(r.infoHash);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return seen;
}

/** ./bin/publisher in `dir` (data in dir/data, JSON logs) with these arguments, killed if the test process ends. */
function spawnPublisher(dir: string, args: string[]): ChildProcess {
  return reapAtExit(
    spawn(path.join(REPO_ROOT, 'bin', 'publisher'), args, {
      cwd: dir,
      env: { ...process.env, DATA_DIR: path.join(dir, 'data'), PUBLIC_HOST: '127.0.0.1', LOG_FORMAT: 'json' },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'listed-live-'));
  fs.mkdirSync(path.join(dir, 'releases'));
  fs.mkdirSync(path.join(dir, 'data'));
  return dir;
}

test('standalone: a release is in the manifest only once the tracker (SIGHUP via pid file) accepts it; a batch shares reloads', async () => {
  const dir = tempDir();
  const tracker = await startTrackerProcess({ dir, whitelist: [] });
  let publisher: ChildProcess | null = null;
  try {
    const trackerBase = `http://127.0.0.1:${tracker.httpPort}`;
    const manifest = path.join(dir, 'data', 'manifest.json');
    // announce URLs nobody answers on (a public name this host cannot reach): the publisher asks the process
    // it signalled, found through /proc, whether it accepts the new hashes
    const elsewhere = await freePort();
    publisher = spawnPublisher(dir, [
      '--releases',
      path.join(dir, 'releases'),
      '--whitelist',
      tracker.whitelistPath,
      '--pid-file',
      tracker.pidPath,
      '--announce-http',
      `http://127.0.0.1:${elsewhere}/announce`,
      '--quiet-period',
      '0.2',
    ]);
    const output = collectText(publisher);
    await waitForText(output, 'publisher started');

    // one release, then five at once (one or two reloads for the five, not five)
    fs.writeFileSync(path.join(dir, 'releases', 'one.bin'), crypto.randomBytes(50_000));
    await announceOnceListed(manifest, trackerBase, 1, new Set(['one.bin']));
    const reloadsBefore = count(output(), 'sent SIGHUP to tracker');
    const batch = ['a', 'b', 'c', 'd', 'e'].map((n) => `batch-${n}.bin`);
    for (const name of batch) fs.writeFileSync(path.join(dir, 'releases', name), crypto.randomBytes(20_000));
    await announceOnceListed(manifest, trackerBase, batch.length, new Set(batch));
    const reloads = count(output(), 'sent SIGHUP to tracker') - reloadsBefore;
    assert.ok(reloads >= 1 && reloads <= 3, `${reloads} reloads for a batch of ${batch.length}\n${output()}`);

    // a new version: listed once its hash is accepted; the old hash goes only after that
    const oldHash = listed(manifest).find((r) => r.path === 'one.bin')!.infoHash;
    fs.writeFileSync(path.join(dir, 'releases', 'one.bin'), crypto.randomBytes(50_000));
    const end = Date.now() + 60_000;
    let newHash: string | undefined;
    while (newHash === undefined) {
      assert.ok(Date.now() < end, 'the new version was never listed');
      const live = listed(manifest).find((r) => r.path === 'one.bin');
      if (live && live.infoHash !== oldHash) newHash = live.infoHash;
      else
        assert.ok(
          !refused(await announceText(trackerBase, oldHash, { peer: 'old', port: 7001, left: 0 })),
          'old version refused while still listed',
        );
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    assert.ok(
      !refused(await announceText(trackerBase, newHash, { peer: 'new', port: 7002, left: 0, event: 'started' })),
      'new version refused once listed',
    );
    assert.doesNotMatch(output(), /did not confirm/, 'every reload was confirmed by the tracker');
  } finally {
    if (publisher) await stop(publisher);
    await tracker.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('standalone with no tracker running: releases are still listed at once', async () => {
  const dir = tempDir();
  let publisher: ChildProcess | null = null;
  try {
    const port = await freePort();
    const manifest = path.join(dir, 'data', 'manifest.json');
    publisher = spawnPublisher(dir, [
      '--releases',
      path.join(dir, 'releases'),
      '--whitelist',
      path.join(dir, 'whitelist'),
      '--quiet-period',
      '0.2',
      '--once',
      '--announce-http',
      `http://127.0.0.1:${port}/announce`,
    ]);
    fs.writeFileSync(path.join(dir, 'releases', 'alone.bin'), crypto.randomBytes(10_000));
    const output = collectText(publisher);
    const t0 = Date.now();
    const code = await new Promise<number | null>((resolve) => publisher!.once('exit', resolve));
    assert.equal(code, 0, output());
    assert.equal(listed(manifest).length, 1, 'listed without a tracker to confirm it');
    assert.ok(Date.now() - t0 < 8000, `--once took ${Date.now() - t0} ms: it waited for a tracker that is not there`);
    assert.match(fs.readFileSync(path.join(dir, 'whitelist'), 'utf8'), new RegExp(listed(manifest)[0]!.infoHash));
  } finally {
    if (publisher) await stop(publisher);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('opentracker through --reload-command: a release is in the manifest only once opentracker accepts it', async (t) => {
  const bin = ['/usr/bin/opentracker', '/usr/sbin/opentracker'].find((b) => fs.existsSync(b));
  if (bin === undefined) {
    t.skip('opentracker not installed');
    return;
  }
  const dir = tempDir();
  // opentracker drops root to nobody, who must read the list
  fs.chmodSync(dir, 0o755);
  const whitelist = path.join(dir, 'whitelist');
  fs.writeFileSync(whitelist, '', { mode: 0o644 });
  const port = await freePort();
  // cwd '/': as root opentracker chroots to its working folder, and the whitelist path is absolute
  const ot = reapAtExit(
    spawn(bin, ['-i', '127.0.0.1', '-p', String(port), '-P', String(port), '-w', whitelist, '-A', '127.0.0.1'], {
      cwd: '/',
      stdio: 'ignore',
    }),
  );
  let publisher: ChildProcess | null = null;
  try {
    const base = `http://127.0.0.1:${port}`;
    const up = Date.now() + 10_000;
    while (!(await announceText(base, 'ab'.repeat(20), { peer: 'up', port: 7000, left: 0 }).catch(() => '')).includes('failure reason')) {
      assert.ok(Date.now() < up, 'opentracker did not start');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    publisher = spawnPublisher(dir, [
      '--releases',
      path.join(dir, 'releases'),
      '--whitelist',
      whitelist,
      '--reload-command',
      `kill -HUP ${ot.pid}`,
      '--announce-http',
      `${base}/announce`,
      '--quiet-period',
      '0.2',
    ]);
    const output = collectText(publisher);
    await waitForText(output, 'publisher started');
    const names = ['o1.bin', 'o2.bin', 'o3.bin'];
    for (const name of names) fs.writeFileSync(path.join(dir, 'releases', name), crypto.randomBytes(20_000));
    await announceOnceListed(path.join(dir, 'data', 'manifest.json'), base, names.length, new Set(names));
  } finally {
    if (publisher) await stop(publisher);
    await stop(ot);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('suite (npm start): a release is in the manifest only once the in-process tracker accepts it', { timeout: 120_000 }, async () => {
  const dir = tempDir();
  const trackerPort = await freePort();
  const statsPort = await freePort();
  const suite = reapAtExit(spawnSuite(dir, trackerPort, statsPort, { PUBLISHER_ARGS: '--quiet-period 0.2', LOG_FORMAT: 'json' }));
  const output = collectText(suite);
  try {
    await waitForText(output, 'ready: open');
    const names = ['s1.bin', 's2.bin', 's3.bin'];
    for (const name of names) fs.writeFileSync(path.join(dir, 'releases', name), crypto.randomBytes(30_000));
    await announceOnceListed(path.join(dir, 'data', 'manifest.json'), `http://127.0.0.1:${trackerPort}`, names.length, new Set(names));
    assert.doesNotMatch(output(), /sent SIGHUP/, 'the suite reloads in process, without signalling itself');
  } finally {
    await stop(suite);
    try {
      process.kill(-suite.pid!, 'SIGKILL'); // the launcher's node child, should it outlive it
    } catch {
      // already gone
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

async function waitForText(output: () => string, needle: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!output().includes(needle)) {
    if (Date.now() > end) throw new Error(`no "${needle}" within ${timeoutMs} ms:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
