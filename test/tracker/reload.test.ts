import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import { startTrackerProcess, type TrackerProcess } from '../helpers/tracker-process.js';
import { httpAnnounce, scrapeOne } from '../helpers/announce.js';
import { httpGet } from '../helpers/http-client.js';
import { announcePacket, parseUdpAnnounce, udpConnect, udpErrorText, udpRequest } from '../helpers/udp-client.js';
import { announceUrl, hexBytes, parseAnnounce, peerId, randomHashHex } from '../helpers/tracker-urls.js';

/**
 * SIGHUP while clients keep announcing: the list swap must be atomic (no refused announce for a hash that
 * stays listed), keep every peer, and report what it loaded; a failed reload keeps the old list.
 */

const HKEEP = randomHashHex();
const HLOAD_HTTP = randomHashHex();
const HLOAD_UDP = randomHashHex();
const BASE = [HKEEP, HLOAD_HTTP, HLOAD_UDP];

/** Publisher-style rewrite: write a temp file and rename it over the list, so a reader never sees half a file. */
function rewriteAtomically(file: string, text: string): void {
  fs.writeFileSync(file + '.tmp', text);
  fs.renameSync(file + '.tmp', file);
}

describe('SIGHUP reload', () => {
  let tr: TrackerProcess;
  before(async () => {
    tr = await startTrackerProcess({ whitelist: BASE });
  });
  after(() => tr?.cleanup());

  test('10 reloads under HTTP keep-alive and UDP load: no failed request, peers kept, new hashes live at once', async () => {
    // a swarm that must survive every reload untouched
    for (let i = 0; i < 6; i++) await httpAnnounce(tr.httpPort, HKEEP, { port: 7100 + i, left: i < 4 ? 100 : 0 });
    await httpAnnounce(tr.httpPort, HKEEP, { port: 7100, left: 0, event: 'completed' });
    const before1 = await scrapeOne(tr.httpPort, HKEEP);
    assert.deepEqual(before1, { complete: 3, downloaded: 1, incomplete: 3 });

    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const cid = await udpConnect(tr.udpPort);
    const failures: string[] = [];
    let httpOk = 0;
    let udpOk = 0;
    let stop = false;
    const TOTAL = 2000;
    let issued = 0;

    async function httpWorker(w: number): Promise<void> {
      while (!stop && issued < TOTAL) {
        const n = issued++;
        const port = 20000 + (n % 50);
        try {
          const r = await httpGet(tr.httpPort, announceUrl(HLOAD_HTTP, { peer_id: peerId(`h${port}`), port, left: 10 }), {}, { agent });
          const a = parseAnnounce(r.body);
          if (r.status !== 200 || a.failure !== null) failures.push(`http #${n} (worker ${w}): ${r.status} ${a.failure ?? ''}`);
          else httpOk++;
        } catch (err) {
          failures.push(`http #${n}: ${(err as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, 4));
      }
    }
    async function udpWorker(): Promise<void> {
      let txid = 1;
      while (!stop && issued < TOTAL) {
        const n = issued++;
        const port = 30000 + (n % 50);
        const pkt = announcePacket({
          connectionId: cid,
          txid: txid++,
          infoHash: hexBytes(HLOAD_UDP),
          peerId: peerId(`u${port}`),
          left: 10n,
          port,
          numWant: 10,
        });
        const r = await udpRequest(tr.udpPort, pkt, 2000);
        if (r === null) failures.push(`udp #${n}: no reply`);
        else if (udpErrorText(r) !== null) failures.push(`udp #${n}: ${udpErrorText(r) ?? ''}`);
        else {
          parseUdpAnnounce(r);
          udpOk++;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    }

    const added: string[] = [];
    async function reloader(): Promise<void> {
      for (let i = 0; i < 10; i++) {
        await new Promise((r) => setTimeout(r, 250));
        const h = randomHashHex();
        added.push(h);
        // listed hashes in a different order each time, plus a comment and a new one
        const lines = [`# reload ${i}`, ...[...BASE, ...added].sort(() => Math.random() - 0.5)];
        rewriteAtomically(tr.whitelistPath, lines.join('\n') + '\n');
        const rec = await tr.sighup();
        assert.equal(rec['loaded'], BASE.length + added.length, `reload ${i}: ${JSON.stringify(rec)}`);
        const fresh = await httpAnnounce(tr.httpPort, h, { port: 7200, left: 1 });
        assert.equal(fresh.reply.failure, null, `hash added by reload ${i} is accepted at once`);
      }
    }

    try {
      await Promise.all([
        httpWorker(1),
        httpWorker(2),
        httpWorker(3),
        udpWorker(),
        udpWorker(),
        reloader().finally(() => {
          stop = true;
        }),
      ]);
    } finally {
      stop = true;
      agent.destroy();
    }
    assert.deepEqual(failures, []);
    assert.ok(httpOk + udpOk >= 200, `enough load ran during the reloads (${httpOk} HTTP, ${udpOk} UDP)`);
    assert.deepEqual(await scrapeOne(tr.httpPort, HKEEP), before1, 'the swarm of a listed torrent is untouched by reloads');
    const load = await scrapeOne(tr.httpPort, HLOAD_HTTP);
    assert.equal(load?.incomplete, Math.min(50, httpOk), 'the load swarm kept every peer');
    const reloads = tr.records().filter((r) => typeof r['loaded'] === 'number').length;
    assert.equal(reloads, 11, 'one loaded line at start, one per SIGHUP');
  });

  test('a missing or unreadable whitelist on reload keeps the old list, and the log says so', async () => {
    const saved = fs.readFileSync(tr.whitelistPath);
    fs.rmSync(tr.whitelistPath);
    const missing = await tr.sighup();
    assert.match(String(missing.msg), /not readable/);
    assert.equal(missing['code'], 'ENOENT');
    await tr.waitForLog((r) => /previous list stays/.test(String(r.msg)), 5000);
    assert.equal((await httpAnnounce(tr.httpPort, HKEEP, { port: 7300, left: 1 })).reply.failure, null);

    fs.mkdirSync(tr.whitelistPath);
    const unreadable = await tr.sighup();
    assert.match(String(unreadable.msg), /not readable/);
    assert.equal((await httpAnnounce(tr.httpPort, HKEEP, { port: 7301, left: 1 })).reply.failure, null);
    fs.rmdirSync(tr.whitelistPath);

    fs.writeFileSync(tr.whitelistPath, saved);
    const back = await tr.sighup();
    assert.equal(typeof back['loaded'], 'number');
    assert.ok(tr.alive());
  });

  test('ignored lines are reported with their line numbers', async () => {
    const text = [
      '# comment', // 1: comment, not an error
      HKEEP, // 2
      ' ' + HLOAD_HTTP, // 3: leading space
      HLOAD_UDP + 'f', // 4: 41 hex digits
      'not a hash', // 5
      '', // 6: blank
      HLOAD_HTTP.toUpperCase() + ' trailing text\r', // 7: fine (CRLF, upper case)
      HLOAD_UDP.slice(0, 39), // 8: 39 digits
      HLOAD_UDP, // 9, no newline at the end
    ].join('\n');
    fs.writeFileSync(tr.whitelistPath, text);
    const from = tr.records().length;
    const rec = await tr.sighup();
    assert.equal(rec['loaded'], 3);
    assert.deepEqual(rec['ignoredLines'], [3, 4, 5, 8]);
    assert.equal(rec['ignored'], 4);
    await tr.waitForLog((r) => r['line'] === 8, 2000, from);
    const warned = tr
      .records()
      .slice(from)
      .filter((r) => typeof r['line'] === 'number')
      .map((r) => r['line']);
    assert.deepEqual(warned, [3, 4, 5, 8]);
    assert.equal((await httpAnnounce(tr.httpPort, HLOAD_HTTP, { port: 7400, left: 1 })).reply.failure, null);
  });
});
