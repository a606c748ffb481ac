import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import dgram from 'node:dgram';
import Client from 'bittorrent-tracker/client';
import type { ScrapeData, UpdateData } from 'bittorrent-tracker/client';
import { startTrackerProcess, type TrackerProcess } from '../helpers/tracker-process.js';
import { collectPeers, nextEvent, waitUntil } from '../helpers/client-events.js';
import {
  announcePacket, connectPacket, parseUdpAnnounce, parseUdpScrape, scrapePacket, udpConnect, udpErrorText, udpRequest,
  type UdpAnnounceFields,
} from '../helpers/udp-client.js';
import { NOT_AUTHORIZED, hexBytes, peerId, randomHashHex } from '../helpers/tracker-urls.js';

const H1 = randomHashHex();
const H2 = randomHashHex();
const HRAW = randomHashHex();
const HNUM = randomHashHex();
const NOT_LISTED = randomHashHex();
const HCHECK = randomHashHex();
const NO_ANSWER_MS = 300;

describe('UDP: bittorrent-tracker Client', () => {
  let tr: TrackerProcess;
  before(async () => {
    tr = await startTrackerProcess({ whitelist: [H1, H2] });
  });
  after(() => tr?.cleanup());

  function client(hash: string, tag: string, port: number): Client {
    return new Client({ infoHash: hash, peerId: peerId(tag).toString('hex'), announce: [`udp://127.0.0.1:${tr.udpPort}`], port });
  }

  test('two clients see each other, a completion is counted once, stop removes the peer', async (t) => {
    const a = client(H1, 'udpA', 6881);
    const b = client(H1, 'udpB', 6882);
    t.after(() => { a.destroy(); b.destroy(); });
    const peersA = collectPeers(a);
    const peersB = collectPeers(b);

    const ua = nextEvent<UpdateData>(a, 'update');
    a.start({ left: 1000 });
    const uav = await ua;
    assert.deepEqual([uav.complete, uav.incomplete], [0, 1]);

    const ub = nextEvent<UpdateData>(b, 'update');
    b.start({ left: 1000 });
    assert.equal((await ub).incomplete, 2);
    await waitUntil(() => peersB.has('127.0.0.1:6881'), 3000, 25, 'B to learn A');
    assert.ok(!peersB.has('127.0.0.1:6882'), 'B must not be given itself');

    const ua2 = nextEvent<UpdateData>(a, 'update');
    a.update({ left: 1000 });
    await ua2;
    await waitUntil(() => peersA.has('127.0.0.1:6882'), 3000, 25, 'A to learn B');

    const uc = nextEvent<UpdateData>(b, 'update');
    b.complete({ left: 0 });
    assert.equal((await uc).complete, 1);
    const uc2 = nextEvent<UpdateData>(b, 'update');
    b.complete({ left: 0 });
    await uc2;

    const sa = nextEvent<ScrapeData>(a, 'scrape');
    a.scrape();
    const s = await sa;
    assert.deepEqual([s.complete, s.incomplete, s.downloaded], [1, 1, 1]);

    const us = nextEvent<UpdateData>(b, 'update');
    b.stop({ left: 0 });
    await us;
    const sa2 = nextEvent<ScrapeData>(a, 'scrape');
    a.scrape();
    const s2 = await sa2;
    assert.deepEqual([s2.complete, s2.incomplete, s2.downloaded], [0, 1, 1]);
  });

  test('a torrent that is not on the whitelist: the action-3 text arrives as a warning event', async (t) => {
    const c = client(NOT_LISTED, 'udpC', 6883);
    t.after(() => c.destroy());
    const errors: Error[] = [];
    c.on('error', (e: Error) => errors.push(e));
    const w = nextEvent<Error>(c, 'warning');
    c.start({ left: 1 });
    assert.equal((await w).message, NOT_AUTHORIZED);
    assert.deepEqual(errors, []);
  });
});

describe('UDP: raw packets', () => {
  let tr: TrackerProcess;
  before(async () => {
    tr = await startTrackerProcess({ whitelist: [H1, H2, HRAW, HNUM, HCHECK] });
  });
  after(() => tr?.cleanup());

  const base = (cid: Buffer, over: Partial<UdpAnnounceFields> = {}): Buffer => announcePacket({
    connectionId: cid, txid: 0x33333333, infoHash: hexBytes(HRAW), peerId: peerId('raw1'), left: 1000n, event: 2, numWant: -1, port: 6991, ...over,
  });

  async function assertStillServing(): Promise<void> {
    assert.ok(tr.alive(), 'tracker process is still running');
    const cid = await udpConnect(tr.udpPort);
    const r = await udpRequest(tr.udpPort, base(cid, { txid: 0x0badf00d, port: 6999, peerId: peerId('checker'), infoHash: hexBytes(HCHECK) }), 2000);
    assert.ok(r !== null);
    assert.equal(parseUdpAnnounce(r).txid, 0x0badf00d);
  }

  test('connect: 16 bytes, txid echoed, same connection id for two source ports of one IP', async () => {
    const s1 = dgram.createSocket('udp4');
    const s2 = dgram.createSocket('udp4');
    try {
      const r1 = await udpRequest(tr.udpPort, connectPacket(0x11111111), 2000, { socket: s1 });
      const r2 = await udpRequest(tr.udpPort, connectPacket(0x22222222), 2000, { socket: s2 });
      assert.ok(r1 && r2);
      assert.equal(r1.length, 16);
      assert.equal(r1.subarray(0, 8).toString('hex'), '0000000011111111');
      assert.equal(r2.subarray(0, 8).toString('hex'), '0000000022222222');
      assert.deepEqual(r1.subarray(8), r2.subarray(8));
    } finally {
      s1.close();
      s2.close();
    }
  });

  test('announce, completion, numwant 0, scrape, stop', async () => {
    const cid = await udpConnect(tr.udpPort);
    const r1 = await udpRequest(tr.udpPort, base(cid), 2000);
    const a1 = parseUdpAnnounce(r1!);
    assert.equal(a1.txid, 0x33333333);
    assert.ok(a1.interval >= 1620 && a1.interval <= 1980, `interval ${a1.interval}`);
    assert.deepEqual([a1.leechers, a1.seeders, a1.peers], [1, 0, []], 'the requester is not returned to itself');

    const r2 = await udpRequest(tr.udpPort, base(cid, { txid: 0x44444444, peerId: peerId('raw2'), left: 0n, event: 1, port: 6992 }), 2000);
    const a2 = parseUdpAnnounce(r2!);
    assert.deepEqual([a2.leechers, a2.seeders, a2.peers], [1, 1, ['127.0.0.1:6991']]);

    const r3 = await udpRequest(tr.udpPort, base(cid, { txid: 0x55555555, event: 0, numWant: 0 }), 2000);
    assert.equal(r3!.length, 20);
    assert.equal(r3!.subarray(0, 8).toString('hex'), '0000000155555555');

    const sc = await udpRequest(tr.udpPort, scrapePacket(cid, 0x77777777, [hexBytes(HRAW), hexBytes(NOT_LISTED), hexBytes(H2)]), 2000);
    assert.equal(sc!.subarray(0, 8).toString('hex'), '0000000277777777');
    assert.deepEqual(parseUdpScrape(sc!), [{ seeders: 1, completed: 1, leechers: 1 }, { seeders: 0, completed: 0, leechers: 0 }, { seeders: 0, completed: 0, leechers: 0 }],
      'completed with left=0 counts; unknown hashes are zeros');

    // an initial seeder (left=0, no event) is not a download
    await udpRequest(tr.udpPort, base(cid, { txid: 5, event: 0, left: 0n, peerId: peerId('raw3'), port: 6993 }), 2000);
    // a leecher that completes is counted, once
    await udpRequest(tr.udpPort, base(cid, { txid: 1, event: 1, left: 0n }), 2000);
    await udpRequest(tr.udpPort, base(cid, { txid: 2, event: 1, left: 0n }), 2000);
    const sc2 = parseUdpScrape((await udpRequest(tr.udpPort, scrapePacket(cid, 3, [hexBytes(HRAW)]), 2000))!);
    assert.deepEqual(sc2, [{ seeders: 3, completed: 2, leechers: 0 }]);

    const st = await udpRequest(tr.udpPort, base(cid, { txid: 0xcccccccc, event: 3, left: 0n }), 2000);
    assert.equal(st!.length, 20, 'a stopped reply carries no peers');
    const sc3 = parseUdpScrape((await udpRequest(tr.udpPort, scrapePacket(cid, 4, [hexBytes(HRAW)]), 2000))!);
    assert.deepEqual(sc3, [{ seeders: 2, completed: 2, leechers: 0 }]);
    // stop and start again: not a new download
    await udpRequest(tr.udpPort, base(cid, { txid: 6, event: 2, left: 1000n }), 2000);
    await udpRequest(tr.udpPort, base(cid, { txid: 7, event: 1, left: 0n }), 2000);
    const sc4 = parseUdpScrape((await udpRequest(tr.udpPort, scrapePacket(cid, 8, [hexBytes(HRAW)]), 2000))!);
    assert.equal(sc4[0]!.completed, 2, 'stop/start/completed from the same client is not counted again');
  });

  test('num_want -1 means the default (50), larger values are capped at 200', async () => {
    const cid = await udpConnect(tr.udpPort);
    const jobs = [];
    for (let i = 0; i < 230; i++) jobs.push(udpRequest(tr.udpPort, base(cid, { txid: i, infoHash: hexBytes(HNUM), peerId: peerId(`n${i}`), port: 20000 + i, numWant: 0 }), 3000));
    const replies = await Promise.all(jobs);
    assert.equal(replies.filter((r) => r === null).length, 0);
    const rows: Array<[number, number]> = [[-1, 50], [1000, 200], [10, 10]];
    for (const [numWant, want] of rows) {
      const r = parseUdpAnnounce((await udpRequest(tr.udpPort, base(cid, { txid: 9, infoHash: hexBytes(HNUM), peerId: peerId('asker'), port: 30000, numWant }), 2000))!);
      assert.equal(r.peers.length, want, `num_want ${numWant}`);
      assert.ok(!r.peers.includes('127.0.0.1:30000'));
    }
  });

  test('a torrent not on the whitelist gets an action-3 error with the HTTP text', async () => {
    const cid = await udpConnect(tr.udpPort);
    const r = await udpRequest(tr.udpPort, base(cid, { txid: 0x66666666, infoHash: hexBytes(NOT_LISTED) }), 2000);
    assert.ok(r);
    assert.equal(r.subarray(0, 8).toString('hex'), '0000000366666666');
    assert.equal(r.subarray(8).toString('latin1'), NOT_AUTHORIZED);
  });

  test('scrape answers at most 74 hashes', async () => {
    const cid = await udpConnect(tr.udpPort);
    const r = await udpRequest(tr.udpPort, scrapePacket(cid, 0x78787878, Array.from({ length: 80 }, () => hexBytes(HRAW))), 2000);
    assert.equal(parseUdpScrape(r!).length, 74);
    assert.equal(r!.length, 8 + 74 * 12);
  });

  test('wrong connection id: action 3 "Connection ID mismatch."', async () => {
    const r = await udpRequest(tr.udpPort, scrapePacket(Buffer.alloc(8), 0x88888888, [hexBytes(HRAW)]), 2000);
    assert.ok(r);
    assert.equal(r.toString('hex'), '0000000388888888' + Buffer.from('Connection ID mismatch.').toString('hex'));
    const forged = crypto.randomBytes(8);
    const r2 = await udpRequest(tr.udpPort, base(forged, { txid: 0x89898989 }), 2000);
    assert.equal(udpErrorText(r2), 'Connection ID mismatch.');
  });

  test('an id issued to one IP is refused from another (127.0.0.2)', async () => {
    const cid = await udpConnect(tr.udpPort);
    const r = await udpRequest(tr.udpPort, base(cid, { txid: 0x12121212 }), 2000, { localAddress: '127.0.0.2' });
    assert.equal(udpErrorText(r), 'Connection ID mismatch.');
  });

  test('port 0 is refused with an action-3 error', async () => {
    const cid = await udpConnect(tr.udpPort);
    const r = await udpRequest(tr.udpPort, base(cid, { txid: 0x13131313, port: 0 }), 2000);
    assert.ok(udpErrorText(r), `expected an error reply, got ${r?.toString('hex')}`);
    assert.equal(r!.readUInt32BE(4), 0x13131313);
  });

  test('BEP 41 option bytes after the 98-byte announce are ignored', async () => {
    const cid = await udpConnect(tr.udpPort);
    const pkt = Buffer.concat([base(cid, { txid: 0x14141414, port: 6993, peerId: peerId('bep41') }), Buffer.from([2, 5, 0x2f, 0x61, 0x62, 0x63, 0x64, 1, 0])]);
    const r = await udpRequest(tr.udpPort, pkt, 2000);
    assert.equal(parseUdpAnnounce(r!).txid, 0x14141414);
  });

  const silentRows: Array<{ name: string; make: (cid: Buffer) => Buffer }> = [
    { name: 'connect with a wrong magic', make: () => connectPacket(0x99999999, 0, 0x1234) },
    { name: '15-byte packet', make: () => Buffer.alloc(15) },
    { name: 'empty packet', make: () => Buffer.alloc(0) },
    { name: 'client sends action 3', make: (cid) => Buffer.concat([cid, Buffer.from('00000003aaaaaaaa', 'hex')]) },
    { name: 'action 5', make: (cid) => Buffer.concat([cid, Buffer.from('00000005abababab', 'hex')]) },
    { name: 'action 0xffffffff', make: (cid) => Buffer.concat([cid, Buffer.from('ffffffffabababab', 'hex')]) },
    { name: 'announce of 97 bytes', make: (cid) => base(cid, { txid: 0xbbbbbbbb }).subarray(0, 97) },
    { name: 'announce of 16 bytes', make: (cid) => base(cid, { txid: 0xbbbbbbbc }).subarray(0, 16) },
  ];
  for (const row of silentRows) {
    test(`no answer: ${row.name}`, async () => {
      const cid = await udpConnect(tr.udpPort);
      const r = await udpRequest(tr.udpPort, row.make(cid), NO_ANSWER_MS);
      assert.equal(r, null, `${row.name}: got ${r?.toString('hex')}`);
      await assertStillServing();
    });
  }

  test('garbage and oversized datagrams: at most a short error, never a crash', async () => {
    const cid = await udpConnect(tr.udpPort);
    const packets = [
      crypto.randomBytes(16),
      crypto.randomBytes(97),
      crypto.randomBytes(1500),
      crypto.randomBytes(8192),
      Buffer.concat([cid, Buffer.from('00000002dddddddd', 'hex')]), // scrape without a hash
      Buffer.concat([cid, Buffer.from('00000002dddddddd', 'hex'), crypto.randomBytes(19)]), // partial hash
      Buffer.concat([cid, Buffer.from('00000001eeeeeeee', 'hex'), crypto.randomBytes(4000)]), // long announce of random bytes
    ];
    for (const p of packets) {
      const r = await udpRequest(tr.udpPort, p, NO_ANSWER_MS);
      if (r !== null) assert.ok([1, 2, 3].includes(r.readUInt32BE(0)) && r.length <= 8 + 74 * 12 + 20 * 200, `reply ${r.subarray(0, 40).toString('hex')}`);
    }
    await assertStillServing();
  });
});
