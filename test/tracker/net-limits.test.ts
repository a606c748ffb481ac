import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import { once } from 'node:events';
import { startTrackerProcess, type TrackerProcess } from '../helpers/tracker-process.js';
import { httpGet } from '../helpers/http-client.js';
import { httpAnnounce } from '../helpers/announce.js';
import { announcePacket, udpConnect } from '../helpers/udp-client.js';
import { randomHashHex } from '../helpers/tracker-urls.js';

/**
 * The tracker's HTTP edge under floods a client can cause: hundreds of pipelined full scrapes over 20,000
 * torrents, pipelined requests whose chunks always end mid-request, too many connections from one address
 * or in total, and connections kept forever by a request every few seconds.
 */

const GET = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: t\r\n\r\n`;

/** Counts HTTP responses in a byte stream without keeping bodies; throws on anything malformed. */
class ResponseCounter {
  statuses: number[] = [];
  bodyBytes: number[] = [];
  private head = '';
  private bodyLeft = 0;
  feed(chunk: Buffer): void {
    let off = 0;
    while (off < chunk.length) {
      if (this.bodyLeft > 0) {
        const n = Math.min(this.bodyLeft, chunk.length - off);
        this.bodyLeft -= n;
        off += n;
        continue;
      }
      const text = chunk.toString('latin1', off, Math.min(chunk.length, off + 4096));
      const joined = this.head + text;
      const end = joined.indexOf('\r\n\r\n');
      if (end < 0) {
        this.head = joined;
        off += text.length;
        if (this.head.length > 8192) throw new Error('response head too long');
        continue;
      }
      const head = joined.slice(0, end);
      off += end + 4 - this.head.length;
      this.head = '';
      const m = /^HTTP\/1\.1 (\d{3}) [^\r\n]*\r\n/.exec(head);
      if (m === null) throw new Error(`bad status line: ${JSON.stringify(head.slice(0, 80))}`);
      const cl = /\r\nContent-Length: (\d+)(\r\n|$)/i.exec(head);
      if (cl === null) throw new Error('no Content-Length');
      this.statuses.push(Number(m[1]));
      this.bodyBytes.push(Number(cl[1]));
      this.bodyLeft = Number(cl[1]);
    }
  }
  get complete(): number {
    return this.bodyLeft === 0 && this.head === '' ? this.statuses.length : this.statuses.length - 1;
  }
}

function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? NaN : Number(m[1]) / 1024;
}

async function fillTorrents(tr: TrackerProcess, n: number): Promise<void> {
  const cid = await udpConnect(tr.udpPort);
  const sock = dgram.createSocket('udp4');
  sock.on('message', () => {});
  sock.bind(0, '127.0.0.1');
  await once(sock, 'listening');
  const peerId = Buffer.alloc(20, 0x50);
  try {
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < n; i++) {
        const infoHash = crypto.createHash('sha1').update(`torrent ${i}`).digest();
        sock.send(
          announcePacket({ connectionId: cid, txid: i, infoHash, peerId, port: 6881, left: 1n, event: 2 }),
          tr.udpPort,
          '127.0.0.1',
        );
        if (i % 200 === 199) await new Promise((r) => setTimeout(r, 2));
      }
      await new Promise((r) => setTimeout(r, 300));
      const stats = JSON.parse((await httpGet(tr.httpPort, '/stats?format=json')).body.toString()) as { torrents: number };
      if (stats.torrents >= n) return;
    }
    throw new Error('could not create the torrents over UDP');
  } finally {
    sock.close();
  }
}

describe('HTTP edge under floods (blacklist mode, default limits)', () => {
  let tr: TrackerProcess;
  const H = randomHashHex();

  before(async () => {
    tr = await startTrackerProcess({ listFlag: '-b', whitelist: [] });
    await fillTorrents(tr, 20_000);
  });
  after(async () => {
    await tr?.cleanup();
  });

  test('450 pipelined full scrapes in one write over 20,000 torrents: all answered, others served meanwhile, memory bounded', {
    timeout: 60_000,
  }, async (t) => {
    const sock = net.connect({ host: '127.0.0.1', port: tr.httpPort });
    sock.on('error', () => {});
    await once(sock, 'connect');
    const counter = new ResponseCounter();
    const done = new Promise<void>((resolve, reject) => {
      sock.on('data', (chunk: Buffer) => {
        try {
          counter.feed(chunk);
        } catch (err) {
          reject(err as Error);
        }
        if (counter.complete === 450) resolve();
      });
      sock.on('close', () => reject(new Error(`closed after ${counter.complete} replies`)));
    });
    sock.write(GET('/scrape').repeat(450));
    // the event loop stays free: an announce on another connection is answered at once
    const t0 = Date.now();
    const r = await httpAnnounce(tr.httpPort, H, { port: 7001, left: 1 }, {}, { timeoutMs: 2000 });
    assert.equal(r.reply.failure, null);
    const announceMs = Date.now() - t0;
    assert.ok(announceMs < 2000, `announce took ${announceMs} ms during the flood`);
    await done;
    sock.destroy();
    assert.ok(counter.statuses.every((s) => s === 200));
    assert.ok(counter.bodyBytes[0]! > 20_000 * 50, `a full scrape of 20,000 torrents (${counter.bodyBytes[0]} bytes)`);
    assert.ok(tr.alive());
    const peak = peakRssMiB(tr.pid);
    t.diagnostic(
      `450 full scrapes of ${counter.bodyBytes[0]} bytes in ${Date.now() - t0} ms; announce during the flood ${announceMs} ms; tracker peak RSS ${peak.toFixed(1)} MiB`,
    );
    assert.ok(peak < 200, `peak RSS ${peak.toFixed(1)} MiB`);
  });

  test('a pipelining client whose chunks always end mid-request is not cut off by the header timeout', { timeout: 30_000 }, async () => {
    const sock = net.connect({ host: '127.0.0.1', port: tr.httpPort });
    sock.on('error', () => {});
    await once(sock, 'connect');
    const counter = new ResponseCounter();
    let closed = false;
    sock.on('data', (chunk: Buffer) => counter.feed(chunk));
    sock.on('close', () => {
      closed = true;
    });
    const req = GET('/scrape?info_hash=' + '%AA'.repeat(20));
    const cut = 10;
    sock.write(req.slice(0, cut));
    // 13 s > the 10 s header timeout; every write completes one request and starts the next
    const rounds = 26;
    for (let i = 0; i < rounds && !closed; i++) {
      await new Promise((r) => setTimeout(r, 500));
      sock.write(req.slice(cut) + req.slice(0, cut));
    }
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(closed, false, `connection cut after ${counter.complete} replies`);
    assert.equal(counter.complete, rounds);
    sock.destroy();
  });
});

describe('connection caps', () => {
  let tr: TrackerProcess;
  const H = randomHashHex();

  before(async () => {
    // -A elsewhere: loopback is not exempt from the per-address cap
    tr = await startTrackerProcess({
      whitelist: [H],
      args: ['-A', '10.9.9.9', '--max-connections', '20', '--max-connections-per-ip', '5', '--max-connection-age', '10'],
    });
  });
  after(async () => {
    await tr?.cleanup();
  });

  /** Opens n connections from `from` and resolves with those still open after a moment. */
  async function openIdle(n: number, from: string): Promise<net.Socket[]> {
    const socks = await Promise.all(
      Array.from({ length: n }, async () => {
        const s = net.connect({ host: '127.0.0.1', port: tr.httpPort, localAddress: from });
        s.on('error', () => {});
        const state = { closed: false };
        s.on('close', () => {
          state.closed = true;
        });
        await Promise.race([once(s, 'connect'), once(s, 'close')]);
        return { s, state };
      }),
    );
    await new Promise((r) => setTimeout(r, 300));
    for (const x of socks) if (x.state.closed) x.s.destroy();
    return socks.filter((x) => !x.state.closed).map((x) => x.s);
  }

  test('per address: 5 of 8 stay open; total: 20 across addresses; freed slots are usable again', async () => {
    const a = await openIdle(8, '127.0.0.1');
    assert.equal(a.length, 5);
    const others: net.Socket[] = [];
    for (let i = 2; i <= 5; i++) others.push(...(await openIdle(5, `127.0.0.${i}`)));
    assert.equal(a.length + others.length, 20, 'the total cap');
    const extra = await openIdle(3, '127.0.0.9');
    assert.equal(extra.length, 0, 'over the total cap');
    for (const s of [...a, ...others]) s.destroy();
    await new Promise((r) => setTimeout(r, 200));
    const r = await httpAnnounce(tr.httpPort, H, { port: 7002, left: 1 });
    assert.equal(r.reply.failure, null);
    const again = await openIdle(5, '127.0.0.1');
    assert.equal(again.length, 5);
    for (const s of again) s.destroy();
  });

  // (a request in progress when the age is reached gets `Connection: close` on its reply: http-framer.test.ts)
  test('max connection age: a client asking every 2 s and an idle one are both closed soon after 10 s', { timeout: 30_000 }, async () => {
    const busy = net.connect({ host: '127.0.0.1', port: tr.httpPort, localAddress: '127.0.0.6' });
    const idle = net.connect({ host: '127.0.0.1', port: tr.httpPort, localAddress: '127.0.0.7' });
    busy.on('error', () => {});
    idle.on('error', () => {});
    await Promise.all([once(busy, 'connect'), once(idle, 'connect')]);
    const t0 = Date.now();
    let idleClosedAt = 0;
    let busyClosedAt = 0;
    idle.on('close', () => {
      idleClosedAt = Date.now() - t0;
    });
    busy.on('close', () => {
      busyClosedAt = Date.now() - t0;
    });
    // keep the idle one from hitting the 10 s header timeout of a connection that never sent anything
    idle.write(GET('/scrape?info_hash=' + '%AA'.repeat(20)));
    idle.resume();
    let replies = '';
    let sent = 0;
    busy.on('data', (c: Buffer) => {
      replies += c.toString('latin1');
    });
    while (busyClosedAt === 0 && Date.now() - t0 < 20_000) {
      busy.write(GET('/scrape?info_hash=' + '%AA'.repeat(20)));
      sent++;
      await new Promise((r) => setTimeout(r, 2000));
    }
    assert.ok(busyClosedAt >= 10_000 && busyClosedAt < 13_000, `busy closed at ${busyClosedAt} ms`);
    // closed while idle, between two requests: every request it sent before was answered
    assert.ok(replies.split('HTTP/1.1 200 OK').length - 1 >= sent - 1, `${sent} sent, replies: ${replies.length} bytes`);
    assert.ok(idleClosedAt >= 10_000 && idleClosedAt < 13_000, `idle closed at ${idleClosedAt} ms (keep-alive timeout is 30 s)`);
  });
});

describe('out of file descriptors', () => {
  test('under ulimit -n 64: connections past it are closed at once, UDP still answers, HTTP serves again once they are freed', {
    timeout: 30_000,
  }, async () => {
    const H = randomHashHex();
    const tr = await startTrackerProcess({
      whitelist: [H],
      maxOpenFiles: 64,
      args: ['--max-connections', '1000', '--max-connections-per-ip', '1000'],
    });
    try {
      const held: net.Socket[] = [];
      let closedByTracker = 0;
      for (let i = 0; i < 120; i++) {
        const s = net.connect({ host: '127.0.0.1', port: tr.httpPort });
        s.on('error', () => {});
        s.on('close', () => {
          closedByTracker++;
        });
        await Promise.race([once(s, 'connect'), once(s, 'close')]);
        held.push(s);
      }
      await new Promise((r) => setTimeout(r, 500));
      assert.ok(closedByTracker > 0, 'the descriptor limit was reached: some connections were closed at accept');
      // the UDP socket is open already: announces need no new descriptor
      const cid = await udpConnect(tr.udpPort);
      assert.equal(cid.length, 8);
      for (const s of held) s.destroy();
      await new Promise((r) => setTimeout(r, 300));
      const r = await httpAnnounce(tr.httpPort, H, { port: 7003, left: 1 });
      assert.equal(r.reply.failure, null);
      assert.ok(tr.alive(), 'still running');
    } finally {
      await tr.cleanup();
    }
  });
});
