import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import createTorrent from 'create-torrent';
import parseTorrent from 'parse-torrent';
import { makeTempDir } from '../helpers/temp-dir.js';
import { sleep, waitUntil } from '../helpers/wait.js';
import { startTrackerProcess } from '../helpers/tracker-process.js';
import { cleanUpAfter } from '../helpers/cleanup.js';
import { httpAnnounce, scrapeOne } from '../helpers/announce.js';
import { httpGet } from '../helpers/http-client.js';
import { peerId } from '../helpers/tracker-urls.js';
import { ARIA2_ISOLATED, hasAria2 } from '../helpers/aria2.js';

/**
 * A real client that gets the whole file from the web seed (BEP 19) and no byte from a peer: aria2c, whose
 * announces then say left=0 with downloaded>0 (at its first announce when the download was fast). Counted
 * exactly once; the publisher's seeder (left=0, downloaded=0) is not counted.
 */
if (!hasAria2 && process.env['CI'] === 'true') throw new Error('aria2c is required in CI (apt-get install aria2)');
const skip = hasAria2 ? false : 'aria2c is not installed';

const { procs, dirs } = cleanUpAfter();
const servers: http.Server[] = [];
after(() => {
  for (const s of servers) s.close();
});

/** A web seed: the file with Range support, counting the bytes it sent. */
async function webSeed(file: string): Promise<{ url: string; sent: () => number }> {
  const data = fs.readFileSync(file);
  let sent = 0;
  const server = http.createServer((req, res) => {
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    const from = m ? Number(m[1]) : 0;
    const to = m && m[2] !== '' ? Math.min(Number(m[2]), data.length - 1) : data.length - 1;
    const body = data.subarray(from, to + 1);
    sent += body.length;
    res.writeHead(m ? 206 : 200, {
      'Content-Length': body.length,
      ...(m ? { 'Content-Range': `bytes ${from}-${to}/${data.length}` } : {}),
      'Accept-Ranges': 'bytes',
    });
    res.end(body);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/files/${path.basename(file)}`, sent: () => sent };
}

describe('web-seed download counted once', { skip }, () => {
  test("aria2c fetching only from the web seed is one download; the publisher's seeder is none", { timeout: 90000 }, async () => {
    const tmp = makeTempDir('tracker-webseed-');
    dirs.push(tmp);
    const src = path.join(tmp.dir, 'release-6mib.bin');
    fs.writeFileSync(src, crypto.randomBytes(6 * 1024 * 1024));
    const seed = await webSeed(src);
    const tr = await startTrackerProcess({ whitelist: [] });
    procs.push(tr);
    const torrent: Buffer = await new Promise((resolve, reject) => {
      createTorrent(src, { announceList: [[`http://127.0.0.1:${tr.httpPort}/announce`]], urlList: [seed.url], private: false }, (err, t) =>
        err ? reject(err) : resolve(Buffer.from(t)),
      );
    });
    const hash = String((await parseTorrent(torrent)).infoHash);
    fs.writeFileSync(tr.whitelistPath, hash + '\n');
    assert.equal((await tr.sighup())['loaded'], 1);
    // the publisher's seeder announces first (nobody listens on its port, so aria2c can only use the web seed)
    await httpAnnounce(tr.httpPort, hash, { peer_id: peerId('publisher'), port: 9, uploaded: 0, downloaded: 0, left: 0, event: 'started' });
    assert.equal((await scrapeOne(tr.httpPort, hash))?.downloaded, 0);

    const torrentFile = path.join(tmp.dir, 'release.torrent');
    fs.writeFileSync(torrentFile, torrent);
    fs.mkdirSync(path.join(tmp.dir, 'out'));
    const child = spawn(
      'aria2c',
      [
        ...ARIA2_ISOLATED,
        '--seed-time=0',
        '--disable-ipv6=true',
        '--bt-tracker-timeout=5',
        '--bt-tracker-connect-timeout=5',
        '--allow-overwrite=true',
        '--bt-save-metadata=false',
        `--dir=${path.join(tmp.dir, 'out')}`,
        torrentFile,
      ],
      { cwd: tmp.dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 60000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.equal(code, 0, `aria2c failed:\n${out}`);
    assert.equal(fs.readFileSync(path.join(tmp.dir, 'out', 'release-6mib.bin')).equals(fs.readFileSync(src)), true);
    assert.ok(seed.sent() >= 6 * 1024 * 1024, 'every byte came from the web seed');
    await waitUntil(async () => (await scrapeOne(tr.httpPort, hash))?.downloaded === 1, 10000, 100, 'the download to be counted');
    await sleep(500);
    assert.equal((await scrapeOne(tr.httpPort, hash))?.downloaded, 1, 'counted once');
    const feed = JSON.parse((await httpGet(tr.httpPort, '/stats?mode=completions&since=0')).body.toString()) as { entries: unknown[][] };
    assert.deepEqual(
      feed.entries.map((e) => e[2]),
      [hash],
    );
  });
});
