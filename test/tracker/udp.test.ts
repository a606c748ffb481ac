import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startTrackerProcess, type TrackerProcess } from '../helpers/tracker-process.js';
import {
  announcePacket,
  connectFromTwoPorts,
  connectPacket,
  parseUdpAnnounce,
  parseUdpScrape,
  scrapePacket,
  udpConnect,
  udpErrorText,
  udpRequest,
  type UdpAnnounceFields,
} from '../helpers/udp-client.js';
import { hexBytes, peerId, randomHashHex } from '../helpers/tracker-urls.js';

const H2 = randomHashHex();
const HRAW = randomHashHex();
const NOT_LISTED = randomHashHex();
const HCHECK = randomHashHex();
const NO_ANSWER_MS = 300;

describe('UDP: raw packets', () => {
  let tr: TrackerProcess;
  before(async () => {
    tr = await startTrackerProcess({ whitelist: [H2, HRAW, HCHECK] });
  });
  after(() => tr?.cleanup());

  const base = (cid: Buffer, over: Partial<UdpAnnounceFields> = {}): Buffer =>
    announcePacket({
      connectionId: cid,
      txid: 0x33333333,
      infoHash: hexBytes(HRAW),
      peerId: peerId('raw1'),
      left: 1000n,
      event: 2,
      numWant: -1,
      port: 6991,
      ...over,
    });

  async function assertStillServing(): Promise<void> {
    assert.ok(tr.alive(), 'tracker process is still running');
    const cid = await udpConnect(tr.udpPort);
    const r = await udpRequest(
      tr.udpPort,
      base(cid, { txid: 0x0badf00d, port: 6999, peerId: peerId('checker'), infoHash: hexBytes(HCHECK) }),
      2000,
    );
    assert.ok(r !== null);
    assert.equal(parseUdpAnnounce(r).txid, 0x0badf00d);
  }

  test('connect: 16 bytes, txid echoed, same connection id for two source ports of one IP', async () => {
    const { sockets } = await connectFromTwoPorts(tr.udpPort);
    for (const s of sockets) s.close();
  });

  test('announce: the transaction id is echoed in the reply', async () => {
    const cid = await udpConnect(tr.udpPort);
    const a1 = parseUdpAnnounce((await udpRequest(tr.udpPort, base(cid), 2000))!);
    assert.equal(a1.txid, 0x33333333);
  });

  test('scrape: action 2 and the txid echoed; hashes not listed or with no peers are zeros', async () => {
    const cid = await udpConnect(tr.udpPort);
    const sc = await udpRequest(tr.udpPort, scrapePacket(cid, 0x77777777, [hexBytes(NOT_LISTED), hexBytes(H2)]), 2000);
    assert.equal(sc!.subarray(0, 8).toString('hex'), '0000000277777777');
    assert.deepEqual(
      parseUdpScrape(sc!),
      [
        { seeders: 0, completed: 0, leechers: 0 },
        { seeders: 0, completed: 0, leechers: 0 },
      ],
      'unknown hashes are zeros',
    );
  });

  test('scrape answers at most 74 hashes', async () => {
    const cid = await udpConnect(tr.udpPort);
    const r = await udpRequest(
      tr.udpPort,
      scrapePacket(
        cid,
        0x78787878,
        Array.from({ length: 80 }, () => hexBytes(HRAW)),
      ),
      2000,
    );
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
    const pkt = Buffer.concat([
      base(cid, { txid: 0x14141414, port: 6993, peerId: peerId('bep41') }),
      Buffer.from([2, 5, 0x2f, 0x61, 0x62, 0x63, 0x64, 1, 0]),
    ]);
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
      if (r !== null)
        assert.ok(
          [1, 2, 3].includes(r.readUInt32BE(0)) && r.length <= 8 + 74 * 12 + 20 * 200,
          `reply ${r.subarray(0, 40).toString('hex')}`,
        );
    }
    await assertStillServing();
  });
});
