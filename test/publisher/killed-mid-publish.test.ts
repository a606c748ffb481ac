import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import parseTorrent from 'parse-torrent';
import { announceText } from '../helpers/announce.js';
import { runApp, type AppProcess } from '../helpers/app-process.js';
import { bin } from '../helpers/repo-paths.js';
import { stopChild } from '../helpers/stop-child.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startTrackerProcess, type TrackerProcess } from '../helpers/tracker-process.js';
import { waitFor, waitUntil } from '../helpers/wait.js';

/**
 * A publisher killed with SIGKILL half-way through publishing a release (torrent -> whitelist -> awaited tracker
 * reload -> manifest) must leave nothing the page lists before the tracker accepts it, and its next start must
 * finish the job: one whitelist line, the same torrent, a manifest entry the tracker accepts at once, no temp
 * files. Real processes throughout: ./bin/tracker in closed mode (whitelist, pid file) and ./bin/publisher.
 *
 * How the publisher is held inside a window: the tracker is frozen with SIGSTOP. Chosen over a reload command that
 * blocks until the test lets it go because the publisher then runs its default path unchanged (pid file, SIGHUP,
 * scrape of the signalled tracker until it reports the hash), with nothing standing in for the tracker or its
 * reload; a frozen tracker is what a busy or swapped-out one looks like to it. And the kernel tells exactly where
 * the publisher is: a SIGHUP sent to a stopped process stays in its pending set (/proc/<pid>/status), so "the
 * reload was requested" and "the tracker has not reloaded yet" are both read from the kernel, before the kill and
 * again after it (a dead publisher can send nothing more), so a kill outside the window fails the test instead of
 * passing it by luck. Each window is at least the publisher's 2 s scrape timeout long; the test reacts in
 * milliseconds.
 */

const RELEASE = 'release.bin';

interface Layout {
  readonly dir: string;
  readonly releases: string;
  readonly data: string;
  readonly torrents: string;
  readonly manifest: string;
  remove(): void;
}

interface Entry {
  readonly path: string;
  readonly infoHash: string;
  readonly torrent: string;
  readonly removedAt: string | null;
}

interface LeftBehind {
  readonly infoHash: string;
  readonly file: string;
  readonly bytes: Buffer;
}

function layout(): Layout {
  const tmp = makeTempDir('publisher-kill-');
  const releases = path.join(tmp.dir, 'releases');
  const data = path.join(tmp.dir, 'data');
  fs.mkdirSync(releases);
  fs.mkdirSync(data);
  fs.mkdirSync(path.join(tmp.dir, 'tracker'));
  return {
    dir: tmp.dir,
    releases,
    data,
    torrents: path.join(data, 'torrents'),
    manifest: path.join(data, 'manifest.json'),
    remove: tmp.remove,
  };
}

function startPublisher(l: Layout, tracker: TrackerProcess): AppProcess {
  return runApp(
    bin('publisher'),
    [
      '--releases',
      l.releases,
      '--whitelist',
      tracker.whitelistPath,
      '--pid-file',
      tracker.pidPath,
      '--announce-http',
      `http://127.0.0.1:${tracker.httpPort}/announce`,
      '--quiet-period',
      '0.2',
    ],
    { cwd: l.dir, env: { DATA_DIR: l.data, PUBLIC_HOST: '127.0.0.1' } },
  );
}

/** The live manifest entries; none while the manifest is not written (it is written atomically, never half). */
function listed(manifest: string): Entry[] {
  try {
    return (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { releases: Entry[] }).releases.filter((r) => r.removedAt === null);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** How many whitelist lines list `hash` (as the tracker reads them: the hash starts the line). */
function whitelistLines(file: string, hash: string): number {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.slice(0, 40).toLowerCase() === hash).length;
}

function whitelistedHash(file: string): string | null {
  return /^([0-9a-f]{40})\b/m.exec(fs.readFileSync(file, 'utf8'))?.[1] ?? null;
}

/** SIGHUP is in the process's pending set: sent (kill(2) puts it in the shared set) but not yet handled. */
function hupPending(pid: number): boolean {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const bit = 1n << BigInt(os.constants.signals.SIGHUP - 1);
  let pending = 0n;
  for (const key of ['SigPnd', 'ShdPnd']) {
    const m = new RegExp(`^${key}:\\s*([0-9a-f]+)$`, 'm').exec(status);
    if (m) pending |= BigInt(`0x${m[1]}`);
  }
  return (pending & bit) !== 0n;
}

function isStopped(pid: number): boolean {
  return /^State:\s*T/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
}

async function kill9(pub: AppProcess): Promise<void> {
  pub.child.kill('SIGKILL');
  assert.equal(await pub.exited, -os.constants.signals.SIGKILL, 'the publisher died of the SIGKILL');
}

function refused(body: string): boolean {
  return body.includes('failure reason') || !body.includes('interval');
}

/** Once the publisher is up, freezes the tracker and drops a release into the watched folder. */
async function dropReleaseFrozen(l: Layout, pub: AppProcess, tracker: TrackerProcess): Promise<void> {
  await pub.waitLine((r) => r['msg'] === 'publisher started');
  tracker.signal('SIGSTOP');
  await waitUntil(() => isStopped(tracker.pid), 5000, 5, 'the tracker stopped');
  fs.writeFileSync(path.join(l.releases, RELEASE), crypto.randomBytes(40_000));
}

/** What a killed publisher must leave: its torrent, its hash on the whitelist once, and no manifest entry. */
async function assertLeftBehind(l: Layout, tracker: TrackerProcess): Promise<LeftBehind> {
  const files = fs.readdirSync(l.torrents);
  assert.equal(files.length, 1, `one torrent written before the kill: ${files.join(', ')}`);
  const file = files[0]!;
  const bytes = fs.readFileSync(path.join(l.torrents, file));
  const infoHash = (await parseTorrent(bytes)).infoHash as string;
  assert.equal(whitelistLines(tracker.whitelistPath, infoHash), 1, 'the hash is on the whitelist exactly once');
  assert.deepEqual(listed(l.manifest), [], 'no manifest entry: the page must not list what the tracker may refuse');
  return { infoHash, file, bytes };
}

/** Files a publisher write or lock leaves when it is interrupted: `.<name>.<random>.tmp` beside the target, `whitelist.lock`. */
function leftovers(l: Layout, tracker: TrackerProcess): string[] {
  const found: string[] = [];
  for (const dir of [l.releases, l.data, l.torrents]) {
    for (const name of fs.readdirSync(dir)) if (name.endsWith('.tmp') || name.endsWith('.lock')) found.push(path.join(dir, name));
  }
  const list = path.basename(tracker.whitelistPath);
  for (const name of fs.readdirSync(path.dirname(tracker.whitelistPath))) {
    if ((name.startsWith(`.${list}.`) && name.endsWith('.tmp')) || name === `${list}.lock`) found.push(name);
  }
  return found;
}

/** A new publisher on the same folders finishes the publication the killed one left half-done. */
async function assertRepaired(l: Layout, tracker: TrackerProcess, before: LeftBehind): Promise<void> {
  const pub = startPublisher(l, tracker);
  try {
    const entry = await waitFor('the manifest entry after the restart', () => listed(l.manifest).find((r) => r.path === RELEASE), 30_000);
    // at once, as a visitor who follows the new entry would
    const body = await announceText(`http://127.0.0.1:${tracker.httpPort}`, entry.infoHash, {
      peer: 'visitor',
      port: 6881,
      left: 0,
      event: 'started',
    });
    assert.ok(!refused(body), `listed after the restart but the tracker refuses it: ${body}`);
    assert.equal(entry.infoHash, before.infoHash, 'the same release, the same info_hash');
    assert.equal(entry.torrent, before.file);
    assert.deepEqual(fs.readdirSync(l.torrents), [before.file], 'no second torrent');
    // creation date from the content's mtime: the rebuilt torrent is the same bytes
    assert.ok(fs.readFileSync(path.join(l.torrents, before.file)).equals(before.bytes), 'the torrent is byte-identical');
    assert.equal(whitelistLines(tracker.whitelistPath, before.infoHash), 1, 'still exactly one whitelist line');
    assert.deepEqual(leftovers(l, tracker), [], 'no temp or lock file left');
    const logs = pub.lines().join('\n');
    assert.doesNotMatch(logs, /did not confirm/, 'the restarted publisher got the reload confirmed');
  } finally {
    await stopChild(pub.child);
  }
}

/** A descriptor writing to the FIFO, or null while nobody has it open for reading. */
function openForWriting(fifo: string): number | null {
  try {
    return fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENXIO') return null;
    throw err;
  }
}

/** A fresh layout and closed-mode tracker for `body`; the publishers it starts and the tracker are stopped after it. */
async function withRig(body: (l: Layout, tracker: TrackerProcess, start: () => AppProcess) => Promise<void>): Promise<void> {
  const l = layout();
  const tracker = await startTrackerProcess({ dir: path.join(l.dir, 'tracker'), whitelist: [] });
  const started: AppProcess[] = [];
  try {
    await body(l, tracker, () => {
      const pub = startPublisher(l, tracker);
      started.push(pub);
      return pub;
    });
  } finally {
    for (const pub of started) await stopChild(pub.child);
    tracker.signal('SIGCONT');
    await tracker.cleanup();
    l.remove();
  }
}

test('kill -9 while the publisher waits for the reload confirmation: no manifest entry; the restart lists it, no temp file stays', async () => {
  await withRig(async (l, tracker, start) => {
    const pub = start();
    await dropReleaseFrozen(l, pub, tracker);
    // the publisher has sent its SIGHUP: it is now asking the tracker, which cannot answer, whether it accepts the hash
    // (its log line follows the kill(2) by microseconds: waiting for both keeps the check of the log from racing it)
    const signalled = (): boolean => hupPending(tracker.pid) && pub.lines().some((line) => line.includes('sent SIGHUP to tracker'));
    await waitUntil(signalled, 30_000, 5, 'the publisher to signal the tracker');
    await kill9(pub);
    assert.ok(hupPending(tracker.pid) && isStopped(tracker.pid), 'killed after the reload request, before the tracker reloaded');
    assert.doesNotMatch(pub.lines().join('\n'), /did not confirm/, 'killed before the publisher gave up waiting');
    const before = await assertLeftBehind(l, tracker);

    // What a kill inside the torrent or the manifest write would leave as well: their complete-or-absent writes
    // read nothing a test could hold them on, so the temp files are made here as atomic-write.ts names them.
    fs.writeFileSync(path.join(l.torrents, `.${before.file}.0123456789ab.tmp`), before.bytes.subarray(0, 100));
    fs.writeFileSync(path.join(l.data, '.manifest.json.0123456789ab.tmp'), '{"version":1,"rel');
    const reloaded = tracker.records().length;
    tracker.signal('SIGCONT'); // the pending SIGHUP is handled now
    await tracker.waitForLog((r) => typeof r['loaded'] === 'number', 5000, reloaded);
    await assertRepaired(l, tracker, before);
  });
});

test('kill -9 after the whitelist append, before the reload request: the restart reloads the tracker itself', async () => {
  await withRig(async (l, tracker, start) => {
    const pub = start();
    // frozen, the tracker leaves the scrape the publisher sends before its SIGHUP unanswered (2 s): the window stays open
    await dropReleaseFrozen(l, pub, tracker);
    const hash = await waitFor('the hash on the whitelist', () => whitelistedHash(tracker.whitelistPath), 30_000);
    await kill9(pub);
    assert.ok(!hupPending(tracker.pid) && isStopped(tracker.pid), 'killed before the publisher asked the tracker to reload');
    const before = await assertLeftBehind(l, tracker);
    assert.equal(before.infoHash, hash);

    tracker.signal('SIGCONT');
    await waitUntil(() => !isStopped(tracker.pid), 5000, 5, 'the tracker running again');
    // the list has the hash, the tracker does not know: exactly why the page must not list it yet
    const body = await announceText(`http://127.0.0.1:${tracker.httpPort}`, hash, { peer: 'early', port: 6882, left: 0 });
    assert.ok(refused(body), `the tracker was never told to reload, yet accepts the hash: ${body}`);
    await assertRepaired(l, tracker, before);
  });
});

test('kill -9 between the whitelist temp file and its rename: the restart publishes and removes the temp file', async () => {
  await withRig(async (l, tracker, start) => {
    const pub = start();
    await pub.waitLine((r) => r['msg'] === 'publisher started');
    // A write is over in a millisecond; to hold the publisher inside one, the list is swapped for a FIFO. The
    // publisher reads the list, writes the new one to a temp file beside it, and reads the list once more just
    // before the rename (an editor may have saved meanwhile): the test answers the first read only, so the second
    // waits for ever, after the temp file is complete and before the rename.
    fs.rmSync(tracker.whitelistPath);
    execFileSync('mkfifo', ['-m', '644', tracker.whitelistPath]);
    fs.writeFileSync(path.join(l.releases, RELEASE), crypto.randomBytes(40_000));
    // the list as it was, empty: a writer that opens and closes. Opened non-blocking, which succeeds only once the
    // publisher is there to read (ENXIO before), so a publisher that never reads fails the wait instead of hanging it
    const writer = await waitFor('the publisher reading the list', () => openForWriting(tracker.whitelistPath));
    fs.closeSync(writer);
    const dir = path.dirname(tracker.whitelistPath);
    const temp = await waitFor('the complete temp file of the new list', () =>
      fs
        .readdirSync(dir)
        .find(
          (name) =>
            /^\.whitelist\.[0-9a-f]{12}\.tmp$/.test(name) &&
            /^[0-9a-f]{40} # release\.bin\n$/.test(fs.readFileSync(path.join(dir, name), 'utf8')),
        ),
    );
    await kill9(pub);
    assert.ok(fs.existsSync(path.join(dir, temp)), 'the kill leaves the temp file');
    assert.deepEqual(listed(l.manifest), [], 'no manifest entry');
    const torrents = fs.readdirSync(l.torrents);
    assert.equal(torrents.length, 1, 'the torrent was written before the list');
    const bytes = fs.readFileSync(path.join(l.torrents, torrents[0]!));

    // the list the kill left: unchanged (here the FIFO, put back as the empty file it stood for)
    fs.rmSync(tracker.whitelistPath);
    fs.writeFileSync(tracker.whitelistPath, '');
    await assertRepaired(l, tracker, { infoHash: (await parseTorrent(bytes)).infoHash as string, file: torrents[0]!, bytes });
  });
});
