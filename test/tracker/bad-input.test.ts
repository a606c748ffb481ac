import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startTrackerProcess, type TrackerProcess } from '../helpers/tracker-process.js';
import { httpGet, rawGet, rawHttp, splitResponses } from '../helpers/http-client.js';
import { httpAnnounce } from '../helpers/announce.js';
import { announceUrl, asDict, bdecode, peerId, randomHashHex, scrapeUrl } from '../helpers/tracker-urls.js';

/**
 * The "Bad input" list of the tracker issue, over real sockets: each hostile request gets a clear answer,
 * the process stays up, and a valid announce works right after. A slow client (headers never finished)
 * is opened first and must be cut off by the header timeout while everyone else is being served.
 */

const H = randomHashHex();

function statusOf(data: Buffer): number {
  return Number(/^HTTP\/1\.[01] (\d{3}) /.exec(data.toString('latin1'))?.[1] ?? NaN);
}

describe('bad input', () => {
  let tr: TrackerProcess;
  let slow: net.Socket;
  let slowClosed: Promise<void>;
  let slowOpen = true;
  let servedWhileSlowOpen = 0;

  before(async () => {
    tr = await startTrackerProcess({ whitelist: [H] });
    slow = net.connect({ host: '127.0.0.1', port: tr.httpPort });
    slowClosed = new Promise((resolve) =>
      slow.once('close', () => {
        slowOpen = false;
        resolve();
      }),
    );
    slow.on('error', () => {});
    await new Promise<void>((resolve) => slow.once('connect', () => resolve()));
    slow.write('GET /announce?info_hash=');
  });
  after(async () => {
    slow?.destroy();
    await tr?.cleanup();
  });

  async function stillServing(): Promise<void> {
    assert.ok(tr.alive(), 'tracker process still running');
    const r = await httpAnnounce(tr.httpPort, H, { port: 6999, left: 1 });
    assert.equal(r.reply.failure, null);
    if (slowOpen) servedWhileSlowOpen++;
  }

  const statusRows: Array<{ name: string; send: () => Promise<number>; status: number }> = [
    {
      name: 'URL over 8192 bytes -> 414',
      status: 414,
      send: async () => (await httpGet(tr.httpPort, announceUrl(H, { port: 1, pad: 'x'.repeat(9000) }))).status,
    },
    {
      name: 'request line of 64 KiB -> 414 (or 431: no header buffer takes that much)',
      status: 414,
      send: async () => {
        const status = statusOf(await rawHttp(tr.httpPort, rawGet('/announce?x=' + 'y'.repeat(65536))));
        return status === 431 ? 414 : status;
      },
    },
    {
      name: 'one header over 8 KiB -> 431',
      status: 431,
      send: async () => (await httpGet(tr.httpPort, '/announce', { 'X-Big': 'z'.repeat(9000) })).status,
    },
    {
      name: '65 header fields -> 431',
      status: 431,
      send: async () => {
        const h: Record<string, string> = {};
        for (let i = 0; i < 65; i++) h[`X-H${i}`] = String(i);
        return (await httpGet(tr.httpPort, announceUrl(H, { port: 1 }), h)).status;
      },
    },
    {
      name: 'GET with a body -> 413',
      status: 413,
      send: async () => {
        const raw = `GET ${announceUrl(H, { port: 1 })} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello`;
        return splitResponses(await rawHttp(tr.httpPort, raw))[0]!.status;
      },
    },
    {
      name: 'GET with a chunked body -> 413',
      status: 413,
      send: async () => {
        const raw = `GET /announce HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n`;
        return splitResponses(await rawHttp(tr.httpPort, raw))[0]!.status;
      },
    },
    {
      name: 'POST -> 405',
      status: 405,
      send: async () => (await httpGet(tr.httpPort, announceUrl(H, { port: 1 }), {}, { method: 'POST' })).status,
    },
    { name: 'PUT -> 405', status: 405, send: async () => (await httpGet(tr.httpPort, '/announce', {}, { method: 'PUT' })).status },
    { name: 'DELETE -> 405', status: 405, send: async () => (await httpGet(tr.httpPort, '/stats', {}, { method: 'DELETE' })).status },
    { name: 'unknown path -> 404', status: 404, send: async () => (await httpGet(tr.httpPort, '/index.html')).status },
    { name: '/Announce (case) -> 404', status: 404, send: async () => (await httpGet(tr.httpPort, '/Announce?info_hash=x')).status },
    {
      name: '/a (opentracker prefix routing) -> 404',
      status: 404,
      send: async () => (await httpGet(tr.httpPort, announceUrl(H, { port: 1 }, '/a'))).status,
    },
    { name: '/announcement -> 404', status: 404, send: async () => (await httpGet(tr.httpPort, '/announcement')).status },
    { name: '/ without -r -> 404', status: 404, send: async () => (await httpGet(tr.httpPort, '/')).status },
    {
      name: 'garbage request line -> 400',
      status: 400,
      send: async () => splitResponses(await rawHttp(tr.httpPort, 'HELLO THERE\r\n\r\n'))[0]!.status,
    },
    {
      name: 'binary junk -> 400',
      status: 400,
      send: async () => splitResponses(await rawHttp(tr.httpPort, Buffer.from([0, 1, 2, 0xff, 0xfe, 13, 10, 13, 10])))[0]!.status,
    },
    {
      name: 'HTTP/1.1 without Host -> 400',
      status: 400,
      send: async () => statusOf(await rawHttp(tr.httpPort, `GET ${announceUrl(H, { port: 1 })} HTTP/1.1\r\n\r\n`)),
    },
    {
      name: 'HTTP/1.0 without Host is a normal announce -> 200',
      status: 200,
      send: async () => {
        const res = splitResponses(
          await rawHttp(tr.httpPort, `GET ${announceUrl(H, { peer_id: peerId('old'), port: 7777, left: 1 })} HTTP/1.0\r\n\r\n`),
        )[0]!;
        assert.match(res.body.toString('latin1'), /^d8:completei/);
        return res.status;
      },
    },
  ];
  for (const row of statusRows) {
    test(row.name, async () => {
      assert.equal(await row.send(), row.status);
      await stillServing();
    });
  }

  const failureRows: Array<[string, string]> = [
    ['missing info_hash', '/announce?port=1'],
    ['short info_hash', '/announce?info_hash=abc&port=1'],
    ['long info_hash', `/announce?info_hash=${'%41'.repeat(40)}&port=1`],
    ['bad percent-encoding', `${announceUrl(H, {})}&peer_id=%G0%00&port=1`],
    ['non-numeric port', announceUrl(H, { peer_id: peerId('p'), port: 'eighty' })],
    ['port 0', announceUrl(H, { peer_id: peerId('p'), port: 0 })],
    ['port 65536', announceUrl(H, { peer_id: peerId('p'), port: 65536 })],
    ['port 99999999999999999999', announceUrl(H, { peer_id: peerId('p'), port: '99999999999999999999' })],
    ['numwant huge', announceUrl(H, { peer_id: peerId('p'), port: 1, numwant: '99999999999999999999999' })],
    ['numwant 1e3', announceUrl(H, { peer_id: peerId('p'), port: 1, numwant: '1e3' })],
    ['left negative', announceUrl(H, { peer_id: peerId('p'), port: 1, left: -5 })],
    ['left 1.5', announceUrl(H, { peer_id: peerId('p'), port: 1, left: '1.5' })],
    ['left over 2^64', announceUrl(H, { peer_id: peerId('p'), port: 1, left: '36893488147419103232' })],
    ['uploaded non-numeric', announceUrl(H, { peer_id: peerId('p'), port: 1, uploaded: 'lots' })],
    ['downloaded negative', announceUrl(H, { peer_id: peerId('p'), port: 1, downloaded: '-1' })],
    ['scrape with a short hash', '/scrape?info_hash=%01%02'],
    ['scrape with bad escapes', '/scrape?info_hash=%%%'],
  ];
  for (const [name, url] of failureRows) {
    test(`failure reason: ${name}`, async () => {
      const r = await httpGet(tr.httpPort, url);
      assert.equal(r.status, 200);
      const d = asDict(bdecode(r.body));
      assert.ok(d['failure reason'] instanceof Uint8Array, `${name}: ${r.body.toString('latin1')}`);
      await stillServing();
    });
  }

  test('scrape with 100 hashes (URL under 8 KiB) is capped, not refused', async () => {
    const hashes = Array.from({ length: 100 }, (_, i) => (i === 0 ? H : randomHashHex()));
    const r = await httpGet(tr.httpPort, scrapeUrl(hashes.slice(0, 100)));
    assert.equal(r.status, 200);
    assert.match(r.body.toString('latin1'), /^d5:filesd/);
    await stillServing();
  });

  test('pipelined requests on one connection get in-order replies', async () => {
    const reqs = [
      rawGet(announceUrl(H, { peer_id: peerId('pipe1'), port: 7001, left: 1 }), [], 'keep-alive'),
      rawGet(scrapeUrl([H]), [], 'keep-alive'),
      rawGet('/nope', [], 'keep-alive'),
      rawGet(announceUrl(H, { peer_id: peerId('pipe2'), port: 7002, left: 1 }), [], 'keep-alive'),
      rawGet('/announce?port=1', [], 'close'),
    ];
    const data = await rawHttp(tr.httpPort, reqs.join(''), { timeoutMs: 5000 });
    const res = splitResponses(data);
    assert.deepEqual(
      res.map((r) => r.status),
      [200, 200, 404, 200, 200],
    );
    assert.match(res[0]!.body.toString('latin1'), /^d8:completei/);
    assert.match(res[1]!.body.toString('latin1'), /^d5:filesd20:/);
    assert.ok(res[3]!.body.includes(Buffer.from([127, 0, 0, 1, 7001 >> 8, 7001 & 0xff])), 'the second announce sees the first peer');
    assert.match(res[4]!.body.toString('latin1'), /^d14:failure reason/);
  });

  test('a request split over many small writes still works', async () => {
    const req = Buffer.from(rawGet(announceUrl(H, { peer_id: peerId('split'), port: 7003, left: 1 })));
    const res = await new Promise<Buffer>((resolve, reject) => {
      const s = net.connect({ host: '127.0.0.1', port: tr.httpPort });
      const chunks: Buffer[] = [];
      s.on('data', (c: Buffer) => chunks.push(c));
      s.on('close', () => resolve(Buffer.concat(chunks)));
      s.on('error', reject);
      s.on('connect', async () => {
        for (let i = 0; i < req.length; i += 7) {
          s.write(req.subarray(i, i + 7));
          await new Promise((r) => setTimeout(r, 2));
        }
      });
    });
    assert.equal(splitResponses(res)[0]!.status, 200);
  });

  test('many idle connections do not block service', async () => {
    const idle: net.Socket[] = [];
    try {
      for (let i = 0; i < 50; i++) {
        const s = net.connect({ host: '127.0.0.1', port: tr.httpPort });
        s.on('error', () => {});
        idle.push(s);
      }
      await stillServing();
    } finally {
      for (const s of idle) s.destroy();
    }
  });

  test('slow client (headers never finished) is disconnected by the header timeout, others were served meanwhile', async () => {
    // node's header timeout (10 s here) is checked every 2 s; allow generous slack, assert only the outcome
    const closed = await Promise.race([
      slowClosed.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 30000).unref()),
    ]);
    assert.ok(closed, 'the slow connection was closed by the server');
    assert.ok(servedWhileSlowOpen > 0, `valid clients were served while the slow one was open (${servedWhileSlowOpen})`);
    await stillServing();
  });
});
