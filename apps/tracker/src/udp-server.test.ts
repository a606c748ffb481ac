import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { createConnectionIds } from '../../../libs/protocol/src/index.js';
import { Counters } from './counters.js';
import { silentLog, testClock as clock, testTracker } from './test-tracker.js';
import { SEND_OUTCOME_SAMPLE, createReplySender, createUdpHandler, type UdpSender } from './udp-server.js';

/**
 * The UDP reply path with destinations a test cannot produce over a real network: source port 0 (a raw
 * socket can claim it), a closed socket, a send that fails later. None may throw out of the handler.
 */

function connectPacket(txid: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32BE(0x417, 0);
  b.writeUInt32BE(0x27101980, 4);
  b.writeUInt32BE(0, 8);
  b.writeUInt32BE(txid, 12);
  return b;
}

function announcePacket(cid: Buffer, txid: number, port: number): Buffer {
  const b = Buffer.alloc(98);
  cid.copy(b, 0);
  b.writeUInt32BE(1, 8);
  b.writeUInt32BE(txid, 12);
  b.fill(0xab, 16, 36);
  b.fill(0x70, 36, 56);
  b.writeInt32BE(-1, 92);
  b.writeUInt16BE(port, 96);
  return b;
}

/** Records what would have been sent, like a socket that always succeeds. */
function recordingSocket(): UdpSender & { sent: Array<{ buf: Buffer; port: number; address: string }> } {
  const sent: Array<{ buf: Buffer; port: number; address: string }> = [];
  return {
    sent,
    send(buf, port, address, cb) {
      sent.push({ buf: Buffer.from(buf), port, address });
      cb?.(null);
    },
  };
}

describe('UDP reply path', () => {
  let real: dgram.Socket;
  before(async () => {
    real = dgram.createSocket('udp4');
    real.bind(0, '127.0.0.1');
    await once(real, 'listening');
  });
  after(() => real.close());

  test('dgram itself throws for port 0 (what used to escape the handler)', () => {
    assert.throws(() => real.send(Buffer.alloc(8), 0, '127.0.0.1'), { code: 'ERR_SOCKET_BAD_PORT' });
  });

  test('a reply to port 0 on a real socket is dropped and counted, not thrown', () => {
    const c = new Counters(0);
    const send = createReplySender(c);
    assert.doesNotThrow(() => send(real, Buffer.alloc(8), { address: '127.0.0.1', port: 0 }));
    assert.doesNotThrow(() => send(real, Buffer.alloc(8), { address: '', port: 6881 }));
    assert.doesNotThrow(() => send(real, Buffer.alloc(8), { address: '127.0.0.1', port: 70000 }));
    assert.equal(c.udpUnsendable, 3);
    assert.equal(c.udpSendErrors, 0);
  });

  test('a send that throws is counted, and so is a sampled send that reports an error later', () => {
    const c = new Counters(0);
    const send = createReplySender(c);
    const throwing: UdpSender = {
      send() {
        throw new Error('Not running');
      },
    };
    let asked = 0;
    const failingLater: UdpSender = {
      send(_b, _p, _a, cb) {
        if (cb === undefined) return;
        asked++;
        cb(new Error('EPERM'));
      },
    };
    assert.doesNotThrow(() => send(throwing, Buffer.alloc(8), { address: '127.0.0.1', port: 6881 }));
    for (let i = 0; i < 2 * SEND_OUTCOME_SAMPLE; i++) send(failingLater, Buffer.alloc(8), { address: '127.0.0.1', port: 6881 });
    assert.equal(asked, 2, 'one send in SEND_OUTCOME_SAMPLE asks for its outcome');
    assert.equal(c.udpSendErrors, 3);
  });

  test('a closed socket: counted, not thrown', async () => {
    const s = dgram.createSocket('udp4');
    s.bind(0, '127.0.0.1');
    await once(s, 'listening');
    s.close();
    const c = new Counters(0);
    assert.doesNotThrow(() => createReplySender(c)(s, Buffer.alloc(8), { address: '127.0.0.1', port: 6881 }));
    assert.equal(c.udpSendErrors, 1);
  });

  test('connect, then an announce with port 0, both from source port 0: no throw, nothing sent, counted', () => {
    const tracker = testTracker('open');
    const ids = createConnectionIds(Buffer.alloc(32, 7));
    const handle = createUdpHandler(tracker, ids, clock, silentLog);
    const from = { address: '127.0.0.1', port: 0 };
    assert.doesNotThrow(() => handle(real, connectPacket(1), from));
    const cid = ids.issue('127.0.0.1', Math.floor(clock.now() / 1000));
    assert.doesNotThrow(() => handle(real, announcePacket(cid, 2, 0), from));
    assert.doesNotThrow(() => handle(real, announcePacket(cid, 3, 6881), from));
    const c = tracker.counters;
    assert.equal(c.udpUnsendable, 3, 'connect reply, BAD_PORT error and announce reply all dropped');
    assert.equal(c.failures.get('BAD_PORT'), 1);
    assert.equal(c.udpErrors, 0);
    assert.equal(c.udpAnnounces, 1, 'the valid announce was still served');
  });

  test('a socket that throws on every send: every kind of packet is still handled without a throw', () => {
    const tracker = testTracker('open');
    const ids = createConnectionIds(Buffer.alloc(32, 7));
    const handle = createUdpHandler(tracker, ids, clock, silentLog);
    const throwing: UdpSender = {
      send() {
        throw new Error('boom');
      },
    };
    const from = { address: '127.0.0.1', port: 6881 };
    const cid = ids.issue('127.0.0.1', Math.floor(clock.now() / 1000));
    const scrape = Buffer.concat([cid, Buffer.from('0000000200000009', 'hex'), Buffer.alloc(20, 0xab)]);
    for (const p of [
      connectPacket(1),
      announcePacket(cid, 2, 0),
      announcePacket(cid, 3, 6881),
      scrape,
      announcePacket(Buffer.alloc(8), 4, 1),
    ]) {
      assert.doesNotThrow(() => handle(throwing, p, from));
    }
    assert.equal(tracker.counters.udpSendErrors, 5);
  });

  test('replies go to the sender with its transaction id', () => {
    const tracker = testTracker('open');
    const ids = createConnectionIds(Buffer.alloc(32, 7));
    const handle = createUdpHandler(tracker, ids, clock, silentLog);
    const sock = recordingSocket();
    handle(sock, connectPacket(0xdeadbeef), { address: '127.0.0.1', port: 6881 });
    assert.equal(sock.sent.length, 1);
    assert.equal(sock.sent[0]!.port, 6881);
    assert.equal(sock.sent[0]!.buf.readUInt32BE(4), 0xdeadbeef);
  });
});
