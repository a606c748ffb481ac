import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { binToHex } from './bin-key.js';
import { PROTOCOL_ERROR_TEXTS } from './errors.js';
import {
  decodeUdpRequest,
  encodeAnnounceReply,
  encodeConnectReply,
  encodeErrorReply,
  encodeScrapeReply,
  UDP_MAX_SCRAPE_HASHES,
  type UdpAnnounceRequest,
  type UdpRequest,
} from './udp.js';
import { H1_HEX, UDP } from './vectors/golden.js';
import { announcePacket as clientAnnouncePacket, scrapePacket as clientScrapePacket } from '../../../test/helpers/udp-client.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const CID = hex(UDP.cid);
const H1 = hex(H1_HEX);

interface AnnounceFields {
  cid?: Buffer;
  txid?: number;
  infoHash?: Buffer;
  peerId?: Buffer;
  downloaded?: bigint;
  left?: bigint;
  uploaded?: bigint;
  event?: number;
  ip?: number;
  key?: number;
  numWant?: number;
  port?: number;
}

/** Announce datagram built field by field (the test client's encoder), like the capture script's struct.pack('>QQQIIIiH'). */
function announcePacket(f: AnnounceFields = {}, extra: Buffer = Buffer.alloc(0)): Buffer {
  const packet = clientAnnouncePacket({
    ...f,
    connectionId: f.cid ?? CID,
    txid: f.txid ?? 0x01020304,
    infoHash: f.infoHash ?? H1,
    peerId: f.peerId ?? Buffer.from('-UD0001-aaaaaaaaaaaa'),
    left: f.left ?? 1000n,
    port: f.port ?? 6881,
  });
  return Buffer.concat([packet, extra]);
}

function scrapePacket(hashes: Buffer[], tail: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([clientScrapePacket(CID, 0x0a0b0c0d, hashes), tail]);
}

function header(cidHex: string, action: number, txid = 0x11223344, len = 16): Buffer {
  const b = Buffer.alloc(len);
  hex(cidHex).copy(b, 0);
  b.writeUInt32BE(action >>> 0, 8);
  b.writeUInt32BE(txid, 12);
  return b;
}

/** Plain-object view of a request, with ids as hex, for deepEqual. */
function view(r: UdpRequest | null): unknown {
  if (r === null) return null;
  switch (r.action) {
    case 0:
      return r;
    case 1:
      return { ...r, connectionId: r.connectionId.toString('hex'), infoHash: binToHex(r.infoHash), peerId: r.peerId };
    case 2:
      return { ...r, connectionId: r.connectionId.toString('hex'), infoHashes: r.infoHashes.map(binToHex) };
  }
}

function announce(msg: Buffer): UdpAnnounceRequest {
  const r = decodeUdpRequest(msg);
  assert.ok(r !== null && r.action === 1, 'expected an announce');
  return r;
}

describe('decodeUdpRequest: golden datagrams (captured from opentracker, vectors/golden.ts)', () => {
  const announceBase = {
    action: 1,
    connectionId: UDP.cid,
    infoHash: H1_HEX,
    peerId: '-UD0001-aaaaaaaaaaaa',
    downloaded: 0,
    uploaded: 0,
    ip: undefined,
  };
  const rows: Array<{ name: string; sent: string; want: unknown }> = [
    { name: 'connect socket 1', sent: UDP.connect1.sent, want: { action: 0, transactionId: 0x11111111 } },
    { name: 'connect socket 2', sent: UDP.connect2.sent, want: { action: 0, transactionId: 0x22222222 } },
    {
      name: 'announce started, numwant -1',
      sent: UDP.announceStarted.sent,
      want: { ...announceBase, transactionId: 0x33333333, left: 1000, event: 2, key: 0xdeadbeef, numWant: null, port: 6991 },
    },
    {
      name: 'announce completed seeder',
      sent: UDP.announceCompleted.sent,
      want: {
        ...announceBase,
        transactionId: 0x44444444,
        peerId: '-UD0001-bbbbbbbbbbbb',
        downloaded: 1000,
        left: 0,
        event: 1,
        key: 0,
        numWant: 50,
        port: 6992,
      },
    },
    {
      name: 'announce numwant 0',
      sent: UDP.announceNumwant0.sent,
      want: { ...announceBase, transactionId: 0x55555555, left: 1000, event: 0, key: 0, numWant: 0, port: 6991 },
    },
    {
      name: 'announce of a hash not on the list',
      sent: UDP.announceNotListed.sent,
      want: {
        ...announceBase,
        transactionId: 0x66666666,
        infoHash: '99'.repeat(20),
        left: 1000,
        event: 2,
        key: 0,
        numWant: 50,
        port: 6991,
      },
    },
    {
      name: 'announce stopped',
      sent: UDP.announceStopped.sent,
      want: { ...announceBase, transactionId: 0xcccccccc, left: 1000, event: 3, key: 0, numWant: 50, port: 6991 },
    },
    {
      name: 'scrape of three',
      sent: UDP.scrape3.sent,
      want: { action: 2, connectionId: UDP.cid, transactionId: 0x77777777, infoHashes: [H1_HEX, 'aa'.repeat(20), '99'.repeat(20)] },
    },
    {
      name: 'scrape with a zero connection id (checked by the caller)',
      sent: UDP.scrapeBadCid.sent,
      want: { action: 2, connectionId: '00'.repeat(8), transactionId: 0x88888888, infoHashes: [H1_HEX] },
    },
    { name: 'connect with a wrong magic', sent: UDP.badMagic, want: null },
    { name: '15 bytes', sent: UDP.short15, want: null },
    { name: 'client sends action 3', sent: UDP.action3, want: null },
    { name: 'client sends action 5', sent: UDP.action5, want: null },
    { name: 'announce of 97 bytes', sent: UDP.announce97, want: null },
  ];
  for (const r of rows) {
    test(r.name, () => {
      const got = view(decodeUdpRequest(hex(r.sent)));
      const want =
        r.want !== null && typeof r.want === 'object'
          ? Object.fromEntries(Object.entries(r.want).filter(([, v]) => v !== undefined))
          : r.want;
      assert.deepEqual(got, want);
    });
  }
});

describe('decodeUdpRequest: lengths, magic and actions', () => {
  const connect = hex(UDP.connect1.sent);
  const rows: Array<{ name: string; msg: Buffer; action: number | null }> = [
    { name: 'empty', msg: Buffer.alloc(0), action: null },
    { name: '1 byte', msg: Buffer.alloc(1), action: null },
    { name: 'connect cut to 15 bytes', msg: connect.subarray(0, 15), action: null },
    { name: 'connect, 16 bytes', msg: connect, action: 0 },
    { name: 'connect with trailing bytes', msg: Buffer.concat([connect, Buffer.alloc(84)]), action: 0 },
    { name: 'connect, magic high word wrong', msg: Buffer.concat([hex('00000418'), connect.subarray(4)]), action: null },
    {
      name: 'connect, magic low word wrong',
      msg: Buffer.concat([connect.subarray(0, 4), hex('27101981'), connect.subarray(8)]),
      action: null,
    },
    { name: 'connect, zero magic', msg: header('0000000000000000', 0), action: null },
    { name: 'action 0 with a connection id instead of the magic', msg: header(UDP.cid, 0), action: null },
    { name: 'announce header only (16 bytes)', msg: header(UDP.cid, 1), action: null },
    { name: 'announce 97 bytes', msg: announcePacket().subarray(0, 97), action: null },
    { name: 'announce 98 bytes', msg: announcePacket(), action: 1 },
    { name: 'announce 99 bytes', msg: announcePacket({}, Buffer.from([0])), action: 1 },
    {
      name: 'announce with BEP 41 URLData option',
      msg: announcePacket({}, Buffer.from([2, 9, ...Buffer.from('/announce'), 1, 0])),
      action: 1,
    },
    { name: 'announce padded to 1500 bytes', msg: announcePacket({}, Buffer.alloc(1402, 0xff)), action: 1 },
    { name: 'scrape header only', msg: header(UDP.cid, 2), action: null },
    { name: 'scrape 16 + 19 bytes', msg: scrapePacket([], H1.subarray(0, 19)), action: null },
    { name: 'scrape 16 + 20 bytes', msg: scrapePacket([H1]), action: 2 },
    { name: 'action 3 with a payload', msg: Buffer.concat([header(UDP.cid, 3), Buffer.from('error text')]), action: null },
    { name: 'action 4', msg: header(UDP.cid, 4, 1, 98), action: null },
    { name: 'action 5', msg: header(UDP.cid, 5, 1, 98), action: null },
    { name: 'action 0xffffffff', msg: header(UDP.cid, 0xffffffff, 1, 98), action: null },
    { name: 'action 0x100000001 cannot alias 1', msg: header(UDP.cid, 0x100, 1, 98), action: null },
  ];
  for (const r of rows) test(r.name, () => assert.equal(decodeUdpRequest(r.msg)?.action ?? null, r.action));
});

describe('decodeUdpRequest: scrape hash counts', () => {
  const hashes = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => Buffer.alloc(20, i));
  const rows: Array<{ name: string; msg: Buffer; count: number | null }> = [
    { name: '1 hash + 19 stray bytes', msg: scrapePacket(hashes(1), Buffer.alloc(19, 0xee)), count: 1 },
    { name: '2 hashes', msg: scrapePacket(hashes(2)), count: 2 },
    { name: '74 hashes', msg: scrapePacket(hashes(74)), count: 74 },
    { name: '75 hashes -> 74', msg: scrapePacket(hashes(75)), count: 74 },
    { name: '80 hashes (golden cap test) -> 74', msg: scrapePacket(Array<Buffer>(80).fill(H1)), count: 74 },
    { name: '400 hashes -> 74', msg: scrapePacket(hashes(400)), count: 74 },
  ];
  for (const r of rows) {
    test(r.name, () => {
      const d = decodeUdpRequest(r.msg);
      assert.ok(d !== null && d.action === 2);
      assert.equal(d.infoHashes.length, r.count);
      d.infoHashes.forEach((h, i) => assert.equal(h, r.msg.toString('latin1', 16 + 20 * i, 36 + 20 * i)));
    });
  }
  test('cap fits one reply of 8 + 74 * 12 bytes', () => {
    assert.equal(encodeScrapeReply(0, Array(UDP_MAX_SCRAPE_HASHES).fill({ seeders: 0, completed: 0, leechers: 0 })).length, 896);
  });
});

describe('decodeUdpRequest: announce fields', () => {
  const rows: Array<{ name: string; f: AnnounceFields; want: Partial<UdpAnnounceRequest> }> = [
    { name: 'event 0', f: { event: 0 }, want: { event: 0 } },
    { name: 'event 1', f: { event: 1 }, want: { event: 1 } },
    { name: 'event 2', f: { event: 2 }, want: { event: 2 } },
    { name: 'event 3', f: { event: 3 }, want: { event: 3 } },
    { name: 'event 4 -> none', f: { event: 4 }, want: { event: 0 } },
    { name: 'event 0xffffffff -> none', f: { event: 0xffffffff }, want: { event: 0 } },
    { name: 'numWant -1 -> default', f: { numWant: -1 }, want: { numWant: null } },
    { name: 'numWant -2 -> default', f: { numWant: -2 }, want: { numWant: null } },
    { name: 'numWant int32 min -> default', f: { numWant: -(2 ** 31) }, want: { numWant: null } },
    { name: 'numWant 0', f: { numWant: 0 }, want: { numWant: 0 } },
    { name: 'numWant int32 max', f: { numWant: 2 ** 31 - 1 }, want: { numWant: 2 ** 31 - 1 } },
    { name: 'port 0 is returned for the caller to refuse', f: { port: 0 }, want: { port: 0 } },
    { name: 'port 65535', f: { port: 65535 }, want: { port: 65535 } },
    { name: 'left 0', f: { left: 0n }, want: { left: 0 } },
    { name: 'left 2^32 (low word zero) is not 0', f: { left: 2n ** 32n }, want: { left: 2 ** 32 } },
    { name: 'left 2^64-1', f: { left: 2n ** 64n - 1n }, want: { left: 2 ** 64 } },
    { name: 'left 2^53+1 rounds', f: { left: 2n ** 53n + 1n }, want: { left: 2 ** 53 } },
    { name: 'downloaded and uploaded', f: { downloaded: 123456789012n, uploaded: 42n }, want: { downloaded: 123456789012, uploaded: 42 } },
    { name: 'key', f: { key: 0xffffffff }, want: { key: 0xffffffff } },
    { name: 'txid 0', f: { txid: 0 }, want: { transactionId: 0 } },
    { name: 'txid max', f: { txid: 0xffffffff }, want: { transactionId: 0xffffffff } },
    { name: 'ip field is not exposed', f: { ip: 0x0a000001 }, want: {} },
    {
      name: 'binary info_hash and peer_id',
      f: { infoHash: Buffer.alloc(20, 0xff), peerId: Buffer.alloc(20, 0x00) },
      want: { infoHash: '\xff'.repeat(20), peerId: '\x00'.repeat(20) },
    },
  ];
  for (const r of rows) {
    test(r.name, () => {
      const got = announce(announcePacket(r.f));
      for (const [k, v] of Object.entries(r.want)) assert.deepEqual(got[k as keyof UdpAnnounceRequest], v, k);
      assert.ok(!('ip' in got));
    });
  }

  test('round trip of every field', () => {
    const f = {
      cid: hex('0102030405060708'),
      txid: 0xdeadbeef,
      infoHash: hex('ff'.repeat(10) + '00'.repeat(10)),
      peerId: Buffer.from('-XX0001-%&+= \x00\xff\x7f\x80xxx', 'latin1'),
      downloaded: 5n,
      left: 6n,
      uploaded: 7n,
      event: 2,
      key: 0x12345678,
      numWant: 80,
      port: 51413,
    };
    assert.deepEqual(
      { ...announce(announcePacket(f)) },
      {
        action: 1,
        connectionId: f.cid,
        transactionId: f.txid,
        infoHash: f.infoHash.toString('latin1'),
        peerId: f.peerId.toString('latin1'),
        downloaded: 5,
        left: 6,
        uploaded: 7,
        event: 2,
        key: 0x12345678,
        numWant: 80,
        port: 51413,
      },
    );
  });

  test('connectionId is an 8-byte view of the datagram', () => {
    const msg = announcePacket();
    const r = announce(msg);
    assert.equal(r.connectionId.length, 8);
    assert.equal(r.connectionId.buffer, msg.buffer);
    assert.equal(r.connectionId.byteOffset, msg.byteOffset);
  });
});

describe('encoders', () => {
  const peer = (port: number): Buffer => Buffer.from([127, 0, 0, 1, port >> 8, port & 0xff]);
  const rows: Array<{ name: string; got: () => Buffer; want: string }> = [
    { name: 'golden connect reply 1', got: () => encodeConnectReply(0x11111111, CID), want: UDP.connect1.recv },
    { name: 'golden connect reply 2', got: () => encodeConnectReply(0x22222222, CID), want: UDP.connect2.recv },
    {
      name: 'golden announce reply (3 peers)',
      want: UDP.announceStarted.recv,
      got: () => encodeAnnounceReply(0x33333333, 1920, 2, 1, Buffer.concat([peer(6881), peer(6991), peer(6882)])),
    },
    {
      name: 'golden announce reply (4 peers)',
      want: UDP.announceCompleted.recv,
      got: () => encodeAnnounceReply(0x44444444, 1816, 2, 2, Buffer.concat([peer(6881), peer(6991), peer(6992), peer(6882)])),
    },
    {
      name: 'golden announce reply, no peers',
      got: () => encodeAnnounceReply(0x55555555, 1817, 2, 2, Buffer.alloc(0)),
      want: UDP.announceNumwant0.recv,
    },
    {
      name: 'golden stopped reply',
      got: () => encodeAnnounceReply(0xcccccccc, 1792, 1, 2, Buffer.alloc(0)),
      want: UDP.announceStopped.recv,
    },
    {
      name: 'golden scrape reply',
      want: UDP.scrape3.recv,
      got: () =>
        encodeScrapeReply(0x77777777, [
          { seeders: 2, completed: 2, leechers: 2 },
          { seeders: 1, completed: 0, leechers: 0 },
          { seeders: 0, completed: 0, leechers: 0 },
        ]),
    },
    {
      name: 'mismatch error: golden bytes with the spelling fixed and no NUL',
      want: UDP.scrapeBadCid.recv.replace('6d6973736d61746368', '6d69736d61746368').replace(/00$/, ''),
      got: () => encodeErrorReply(0x88888888, PROTOCOL_ERROR_TEXTS.CONNECTION_ID_MISMATCH),
    },
    { name: 'empty scrape reply', got: () => encodeScrapeReply(1, []), want: '0000000200000001' },
    { name: 'error with UTF-8 text', got: () => encodeErrorReply(0xffffffff, 'é'), want: '00000003ffffffffc3a9' },
    { name: 'error with empty text', got: () => encodeErrorReply(0, ''), want: '0000000300000000' },
    {
      name: 'IPv6 peers',
      got: () => encodeAnnounceReply(1, 2, 3, 4, Buffer.alloc(18, 0xab)),
      want: `0000000100000001000000020000000300000004${'ab'.repeat(18)}`,
    },
  ];
  for (const r of rows) test(r.name, () => assert.equal(r.got().toString('hex'), r.want));

  test('mismatch reply is 31 bytes (opentracker: 33)', () => {
    assert.equal(encodeErrorReply(0x88888888, PROTOCOL_ERROR_TEXTS.CONNECTION_ID_MISMATCH).length, 31);
  });

  test('connect reply needs an 8-byte id', () => {
    assert.throws(() => encodeConnectReply(1, Buffer.alloc(7)), RangeError);
    assert.throws(() => encodeConnectReply(1, Buffer.alloc(9)), RangeError);
  });

  test('out-of-range u32 is a programmer error', () => {
    assert.throws(() => encodeAnnounceReply(2 ** 32, 0, 0, 0, Buffer.alloc(0)), RangeError);
    assert.throws(() => encodeScrapeReply(0, [{ seeders: -1, completed: 0, leechers: 0 }]), RangeError);
  });
});
