import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Logger } from '../../../libs/common/src/log.js';
import { createConnectionIds } from '../../../libs/protocol/src/index.js';
import { mutated, udpPacketArb } from '../../../test/helpers/fuzz.js';
import { TEST_NOW as NOW, testClock as clock, testTracker } from './test-tracker.js';
import { createUdpHandler, type UdpSender } from './udp-server.js';

/**
 * Fuzz of the whole UDP handler (decoder, connection ids, swarm, replies), 40,000 datagrams from senders
 * that include port 0 and IPv6: nothing throws, at most one reply per datagram, and every reply is a
 * well-formed BEP 15 packet (action 0-3, the request's transaction id, the length its action implies),
 * sent to the datagram's source.
 */

const errors: unknown[] = [];
const log = { error: (o: { err: unknown }) => errors.push(o.err), warn() {}, info() {}, debug() {} } as unknown as Logger;

test('fuzz: the UDP handler answers every datagram with a well-formed reply or nothing (40,000)', () => {
  const tracker = testTracker('open');
  const ids = createConnectionIds(Buffer.alloc(32, 9));
  const handle = createUdpHandler(tracker, ids, clock, log);
  const sent: Array<{ buf: Buffer; port: number; address: string }> = [];
  const socket: UdpSender = {
    send(buf, port, address, cb) {
      sent.push({ buf, port, address });
      cb?.(null);
    },
  };
  const senders = ['127.0.0.1', '10.1.2.3', '::1', '2001:db8::7'];

  const arb = fc.record({
    packet: fc.oneof(udpPacketArb, mutated(udpPacketArb)),
    // most packets carry the sender's valid connection id, so they reach the swarm
    validCid: fc.boolean(),
    from: fc.constantFrom(...senders),
    port: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 65535 }) }, { weight: 1, arbitrary: fc.constant(0) }),
  });
  let replies = 0;
  fc.assert(
    fc.property(arb, ({ packet, validCid, from, port }) => {
      const msg = Buffer.from(packet);
      if (validCid && msg.length >= 16 && msg.readUInt32BE(8) !== 0) ids.issue(from, Math.floor(NOW / 1000)).copy(msg, 0);
      sent.length = 0;
      const before = tracker.counters.udpUnsendable;
      handle(socket, msg, { address: from, port });
      assert.ok(sent.length <= 1, 'at most one reply');
      if (port === 0) {
        assert.equal(sent.length, 0);
        return;
      }
      assert.equal(tracker.counters.udpUnsendable, before);
      if (sent.length === 0) return;
      replies++;
      const { buf, port: to, address } = sent[0]!;
      assert.equal(to, port);
      assert.equal(address, from);
      assert.ok(msg.length >= 16 && buf.length >= 8);
      assert.equal(buf.readUInt32BE(4), msg.readUInt32BE(12), 'transaction id echoed');
      const action = buf.readUInt32BE(0);
      const peerBytes = from.includes(':') ? 18 : 6;
      switch (action) {
        case 0:
          assert.equal(buf.length, 16);
          break;
        case 1:
          assert.ok(buf.length >= 20 && (buf.length - 20) % peerBytes === 0 && (buf.length - 20) / peerBytes <= 200);
          break;
        case 2:
          assert.equal((buf.length - 8) % 12, 0);
          assert.equal((buf.length - 8) / 12, Math.min(Math.floor((msg.length - 16) / 20), 74));
          break;
        case 3:
          assert.match(buf.toString('utf8', 8), /^[\x20-\x7e]+$/);
          break;
        default:
          assert.fail(`action ${action}`);
      }
    }),
    { seed: 1516, numRuns: 40_000 },
  );
  assert.ok(process.memoryUsage().heapUsed < 512 * 1024 * 1024, 'heap stays bounded');
  assert.equal(tracker.counters.udpErrors, 0, `unexpected errors: ${errors.slice(0, 3).map(String).join('; ')}`);
  assert.ok(replies > 10_000, `${replies} replies: the fuzz reached the swarm`);
  const c = tracker.counters;
  assert.ok(
    c.udpAnnounces > 1000 && c.udpScrapes > 1000,
    `announces ${c.udpAnnounces}, scrapes ${c.udpScrapes}, connects ${c.udpConnects}, mismatches ${c.udpMismatches}, dropped ${c.udpDropped}`,
  );
});
