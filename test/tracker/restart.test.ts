import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { makeTempDir } from '../helpers/temp-dir.js';
import { startTrackerProcess, type TrackerProcess } from '../helpers/tracker-process.js';
import { cleanUpAfter } from '../helpers/cleanup.js';
import { httpAnnounce, scrapeOne } from '../helpers/announce.js';
import { httpGet } from '../helpers/http-client.js';
import { waitUntil } from '../helpers/wait.js';
import { randomHashHex } from '../helpers/tracker-urls.js';

/**
 * Download counts are durable: flushed to the state file on SIGTERM and every --flush-interval seconds,
 * loaded at start after the whitelist. Each test restarts a tracker on the same directory.
 */

const { procs, dirs } = cleanUpAfter();

async function start(
  dir: string,
  whitelist: readonly string[] | undefined,
  args: readonly string[] = ['--flush-interval', '1'],
): Promise<TrackerProcess> {
  const p = await startTrackerProcess({ dir, whitelist, args });
  procs.push(p);
  return p;
}

function tempDir(): string {
  const t = makeTempDir('tracker-restart-');
  dirs.push(t);
  return t.dir;
}

/** `n` distinct leechers that each complete once. */
async function complete(port: number, hash: string, n: number, firstPort: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await httpAnnounce(port, hash, { port: firstPort + i, left: 100, event: 'started' });
    await httpAnnounce(port, hash, { port: firstPort + i, left: 0, event: 'completed' });
  }
}

function stateLines(file: string): string[] {
  return fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
    : [];
}

function stateCount(file: string, hash: string): number | null {
  const line = stateLines(file).find((l) => l.toLowerCase().startsWith(hash.toLowerCase() + ':'));
  return line === undefined ? null : Number(line.split(':')[2]);
}

describe('restart keeps download counts', () => {
  test('SIGTERM flushes the state file (statedump format), a restart serves the same downloaded counts', async () => {
    const dir = tempDir();
    const [h1, h2] = [randomHashHex(), randomHashHex()];
    const a = await start(dir, [h1, h2]);
    assert.equal(fs.readFileSync(a.pidPath, 'utf8').trim(), String(a.pid), 'pid file names the running process');
    await complete(a.httpPort, h1, 3, 6000);
    await complete(a.httpPort, h2, 1, 6100);
    await httpAnnounce(a.httpPort, h1, { port: 6000, left: 0, event: 'completed' }); // repeated: not counted
    assert.equal(await a.stop('SIGTERM'), 0, 'SIGTERM exits 0');
    assert.equal(fs.existsSync(a.pidPath), false, 'pid file removed on a clean stop');

    const lines = stateLines(a.statePath);
    // one comment line (opentracker skips it) names the completion journal and the seq the counts include
    assert.match(lines[0]!, /^# journal [0-9a-f]{16} 4$/);
    for (const l of lines.slice(1)) assert.match(l, /^[0-9A-Fa-f]{40}:\d+:\d+$/, `statedump line ${JSON.stringify(l)}`);
    assert.equal(stateCount(a.statePath, h1), 3);
    assert.equal(stateCount(a.statePath, h2), 1);

    const b = await start(dir, [h1, h2]);
    assert.deepEqual(await scrapeOne(b.httpPort, h1), { complete: 0, downloaded: 3, incomplete: 0 });
    assert.deepEqual(await scrapeOne(b.httpPort, h2), { complete: 0, downloaded: 1, incomplete: 0 });
    // counting goes on from the restored value
    await complete(b.httpPort, h1, 1, 6200);
    assert.equal((await scrapeOne(b.httpPort, h1))?.downloaded, 4);
    assert.equal(await b.stop('SIGINT'), 0, 'SIGINT exits 0 too');
    assert.equal(stateCount(b.statePath, h1), 4);
  });

  test('kill -9 after a flush interval loses nothing', async () => {
    const dir = tempDir();
    const h = randomHashHex();
    const a = await start(dir, [h]);
    await complete(a.httpPort, h, 2, 6300);
    // the periodic flush (--flush-interval 1) must write it without any signal
    await waitUntil(() => stateCount(a.statePath, h) === 2, 5000, 100, 'the periodic flush to write the count');
    await a.kill9();
    const b = await start(dir, [h]);
    assert.equal((await scrapeOne(b.httpPort, h))?.downloaded, 2);
  });

  test('a state file with garbage lines loads the good ones and logs the bad ones', async () => {
    const dir = tempDir();
    const [good1, good2, notListed] = [randomHashHex(), randomHashHex(), randomHashHex()];
    const minute = Math.floor(Date.now() / 60000);
    fs.writeFileSync(
      `${dir}/state.txt`,
      [
        `${good1.toUpperCase()}:${minute}:7`,
        'garbage',
        `${good2}:${minute}:5`,
        `${good1.slice(0, 39)}:${minute}:9`,
        `${randomHashHex()}:${minute}:-3`,
        `${randomHashHex()}:${minute}:abc`,
        `${randomHashHex()}:${minute}`,
        ':::',
        '',
        `${'zz'.repeat(20)}:${minute}:4`,
        `${notListed}:${minute}:0`,
      ].join('\n') + '\n',
    );
    const a = await start(dir, [good1, good2, notListed]);
    assert.equal((await scrapeOne(a.httpPort, good1))?.downloaded, 7);
    assert.equal((await scrapeOne(a.httpPort, good2))?.downloaded, 5);
    const skipped = a.records().filter((r) => /skipped/.test(String(r.msg)));
    assert.ok(skipped.length >= 5, `bad lines are logged: ${JSON.stringify(skipped)}`);
    assert.ok(a.alive());
    const txtp = (await httpGet(a.httpPort, '/stats?mode=tpbs&format=txtp')).body.toString('latin1');
    assert.ok(txtp.includes(`${good1.toUpperCase()}:0:0:7\n`), txtp);
  });

  test('counts of a de-listed torrent survive a restart', async () => {
    const dir = tempDir();
    const [kept, delisted] = [randomHashHex(), randomHashHex()];
    const a = await start(dir, [kept, delisted]);
    await complete(a.httpPort, delisted, 2, 6400);
    fs.writeFileSync(a.whitelistPath, kept + '\n');
    await a.sighup();
    assert.ok((await httpAnnounce(a.httpPort, delisted, { port: 6500, left: 1 })).reply.failure !== null, 'refused once de-listed');
    assert.equal(await a.stop(), 0);
    assert.equal(stateCount(a.statePath, delisted), 2);

    const b = await start(dir, undefined);
    assert.equal((await scrapeOne(b.httpPort, delisted))?.downloaded, 2);
    const txtp = (await httpGet(b.httpPort, '/stats?mode=tpbs&format=txtp')).body.toString('latin1');
    assert.ok(txtp.includes(`${delisted.toUpperCase()}:0:0:2\n`), txtp);
    assert.ok(
      (await httpAnnounce(b.httpPort, delisted, { port: 6501, left: 1 })).reply.failure !== null,
      'still refused after the restart',
    );
    // listing it again brings the count back into play
    fs.writeFileSync(b.whitelistPath, `${kept}\n${delisted}\n`);
    await b.sighup();
    await complete(b.httpPort, delisted, 1, 6600);
    assert.equal((await scrapeOne(b.httpPort, delisted))?.downloaded, 3);
  });
});
