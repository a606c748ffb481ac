import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import createTorrent from 'create-torrent';
import parseTorrent from 'parse-torrent';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startTrackerProcess } from '../helpers/tracker-process.js';
import { cleanUpAfter } from '../helpers/cleanup.js';
import { httpGet } from '../helpers/http-client.js';
import { scrapeOne } from '../helpers/announce.js';
import { waitUntil } from '../helpers/wait.js';
import { freeTcpPort, freeUdpPort } from '../helpers/free-port.js';

/**
 * A real swarm through the tracker alone: aria2c seeds a random 3 MiB file, a second aria2c downloads it
 * (DHT/PEX/LPD off, or for the UDP run DHT on but with no entry point and an empty routing table, since
 * aria2c only uses UDP trackers with DHT enabled). Checks the file's sha256, the scrape's downloaded and
 * that a non-whitelisted torrent is refused.
 */

const haveAria2 = spawnSync('aria2c', ['--version'], { stdio: 'ignore' }).status === 0;
if (!haveAria2 && process.env['CI'] === 'true') throw new Error('aria2c is required in CI (apt-get install aria2)');
const skip = haveAria2 ? false : 'aria2c is not installed';

const children = new Set<ChildProcess>();
const { procs, dirs } = cleanUpAfter();
after(() => {
  for (const c of children) c.kill('SIGKILL');
});

function makeTorrent(file: string, announce: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    createTorrent(file, { announceList: [[announce]], urlList: [], private: false, createdBy: 'tracker-it' }, (err, torrent) => {
      if (err) reject(err);
      else resolve(Buffer.from(torrent));
    });
  });
}

async function infoHashOf(torrent: Buffer): Promise<string> {
  const parsed = await parseTorrent(torrent);
  return String(parsed.infoHash);
}

interface Aria {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function aria2(args: string[], cwd: string): Aria {
  const child = spawn('aria2c', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return { child, output: () => out, exited };
}

function commonArgs(udp: boolean, dhtPort: number, dhtFile: string, listenPort: number): string[] {
  const dht = udp
    ? ['--enable-dht=true', `--dht-listen-port=${dhtPort}`, `--dht-file-path=${dhtFile}`, '--enable-dht6=false']
    : ['--enable-dht=false', '--enable-dht6=false'];
  return [
    ...dht,
    '--bt-enable-lpd=false',
    '--enable-peer-exchange=false',
    `--listen-port=${listenPort}`,
    '--bt-tracker-interval=1',
    '--bt-tracker-timeout=5',
    '--bt-tracker-connect-timeout=5',
    '--summary-interval=0',
    '--console-log-level=warn',
    '--disable-ipv6=true',
    '--file-allocation=none',
    '--auto-save-interval=0',
    '--bt-save-metadata=false',
    '--allow-overwrite=true',
    '--bt-max-peers=5',
    '--max-overall-upload-limit=0',
  ];
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

async function runSwarm(udp: boolean): Promise<void> {
  const tmp = makeTempDir('tracker-aria2-');
  dirs.push(tmp);
  const work = tmp.dir;
  fs.mkdirSync(path.join(work, 'seed'));
  fs.mkdirSync(path.join(work, 'leech'));
  const src = path.join(work, 'seed', 'release-3mib.bin');
  fs.writeFileSync(src, crypto.randomBytes(3 * 1024 * 1024));

  const trackerDir = makeTempDir('tracker-aria2-t-');
  dirs.push(trackerDir);
  // the whitelist is written after the torrent exists; start with an empty one and SIGHUP
  const tr = await startTrackerProcess({ whitelist: [], dir: trackerDir.dir, args: ['-A', '127.0.0.1'] });
  procs.push(tr);
  const announce = udp ? `udp://127.0.0.1:${tr.udpPort}/announce` : `http://127.0.0.1:${tr.httpPort}/announce`;
  const torrent = await makeTorrent(src, announce);
  const torrentFile = path.join(work, 'release.torrent');
  fs.writeFileSync(torrentFile, torrent);
  const hash = await infoHashOf(torrent);
  fs.writeFileSync(tr.whitelistPath, hash + '\n');
  assert.equal((await tr.sighup())['loaded'], 1);

  const seedPort = await freeTcpPort();
  const seeder = aria2(
    [
      ...commonArgs(udp, await freeUdpPort(), path.join(work, 'dht-seed.dat'), seedPort),
      '--seed-ratio=0',
      '--check-integrity=true',
      '--bt-seed-unverified=true',
      `--dir=${path.join(work, 'seed')}`,
      torrentFile,
    ],
    work,
  );
  // the seeder is known to the tracker before the leecher asks
  await waitUntil(
    async () => (await scrapeOne(tr.httpPort, hash))?.complete === 1 || seeder.child.exitCode !== null,
    30000,
    200,
    'the seeder to announce',
  );
  assert.equal(seeder.child.exitCode, null, `aria2c seeder exited early:\n${seeder.output()}`);

  const leecher = aria2(
    [
      ...commonArgs(udp, await freeUdpPort(), path.join(work, 'dht-leech.dat'), await freeTcpPort()),
      '--seed-time=0',
      `--dir=${path.join(work, 'leech')}`,
      torrentFile,
    ],
    work,
  );
  const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60000).unref());
  const code = await Promise.race([leecher.exited, timeout]);
  assert.notEqual(code, 'timeout', `leecher did not finish in 60 s:\n${leecher.output()}\nseeder:\n${seeder.output()}`);
  assert.equal(code, 0, `leecher exit code:\n${leecher.output()}`);
  assert.equal(sha256(path.join(work, 'leech', 'release-3mib.bin')), sha256(src), 'downloaded file is identical');
  await waitUntil(async () => ((await scrapeOne(tr.httpPort, hash))?.downloaded ?? 0) >= 1, 10000, 200, 'downloaded >= 1 in the scrape');
  seeder.child.kill('SIGTERM');
  await seeder.exited;
}

describe('aria2c swarm through the tracker', { skip }, () => {
  test('over HTTP: leecher finishes, checksum equal, scrape downloaded >= 1', { timeout: 90000 }, async () => {
    await runSwarm(false);
  });

  test('UDP only: leecher finishes, checksum equal, scrape downloaded >= 1', { timeout: 90000 }, async () => {
    await runSwarm(true);
  });

  test('a torrent that is not whitelisted is refused: aria2c gets no peers, the refusal is counted', { timeout: 60000 }, async () => {
    const tmp = makeTempDir('tracker-aria2-r-');
    dirs.push(tmp);
    const tr = await startTrackerProcess({ whitelist: [], args: ['-A', '127.0.0.1'] });
    procs.push(tr);
    const src = path.join(tmp.dir, 'unlisted.bin');
    fs.writeFileSync(src, crypto.randomBytes(64 * 1024));
    const torrentFile = path.join(tmp.dir, 'unlisted.torrent');
    fs.writeFileSync(torrentFile, await makeTorrent(src, `http://127.0.0.1:${tr.httpPort}/announce`));
    fs.mkdirSync(path.join(tmp.dir, 'out'));
    const refusedBefore = Number(
      (JSON.parse((await httpGet(tr.httpPort, '/stats?mode=json')).body.toString()) as { refused: number }).refused,
    );
    const leecher = aria2(
      [
        ...commonArgs(false, 0, '', await freeTcpPort()),
        '--seed-time=0',
        '--bt-stop-timeout=3',
        `--dir=${path.join(tmp.dir, 'out')}`,
        torrentFile,
      ],
      tmp.dir,
    );
    await waitUntil(
      async () => {
        const j = JSON.parse((await httpGet(tr.httpPort, '/stats?mode=json')).body.toString()) as { refused: number };
        return j.refused > refusedBefore;
      },
      20000,
      200,
      'a refused announce to be counted',
    );
    leecher.child.kill('SIGTERM');
    await leecher.exited;
    const peer = (await httpGet(tr.httpPort, '/stats?mode=peer')).body.toString();
    assert.match(peer, /^0\n0\nopentracker serving 0 torrents/, 'nothing was stored for the refused torrent');
    assert.equal(
      fs.existsSync(path.join(tmp.dir, 'out', 'unlisted.bin')) &&
        fs.statSync(path.join(tmp.dir, 'out', 'unlisted.bin')).size === 64 * 1024 &&
        sha256(path.join(tmp.dir, 'out', 'unlisted.bin')) === sha256(src),
      false,
      'aria2c could not download it',
    );
  });
});
