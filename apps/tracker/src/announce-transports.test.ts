import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOL_ERROR_TEXTS, createConnectionIds, encodeFailure } from '../../../libs/protocol/src/index.js';
import { H1_QUERY } from '../../../libs/protocol/src/vectors/golden.js';
import { createHttpRoutes } from './http-routes.js';
import { recordingLog, testClock as clock, testHttpOptions, testTracker } from './test-tracker.js';
import { createUdpHandler, type UdpSender } from './udp-server.js';

/**
 * One policy for an announce the tracker cannot use, over both transports: an address that is not one (what a
 * broken socket layer or a misconfigured proxy path could hand over; a real network cannot produce it, so the
 * routes are driven directly) and port 0. The client is told why (a BEP 3 failure reason, a BEP 15 action-3
 * error), the failure is counted by code, nothing is logged and no peer is stored.
 */

function httpAnnounce(remoteAddress: string, port: number) {
  const tracker = testTracker('open');
  const log = recordingLog();
  const route = createHttpRoutes(tracker, testHttpOptions(false), clock, log);
  const res = route({
    method: 'GET',
    url: `/announce?info_hash=${H1_QUERY}&peer_id=-TS0001-aaaaaaaaaaaa&port=${port}&left=0`,
    headers: new Map([['host', 't']]),
    remoteAddress,
  });
  return { res, tracker, log };
}

function udpAnnounce(address: string, port: number) {
  const tracker = testTracker('open');
  const log = recordingLog();
  const ids = createConnectionIds(Buffer.alloc(32, 7));
  const sent: Buffer[] = [];
  const socket: UdpSender = {
    send(buf, _port, _address, cb) {
      sent.push(Buffer.from(buf));
      cb?.(null);
    },
  };
  const packet = Buffer.alloc(98);
  ids.issue(address, Math.floor(clock.now() / 1000)).copy(packet, 0);
  packet.writeUInt32BE(1, 8);
  packet.writeUInt32BE(0x1234, 12);
  packet.fill(0xab, 16, 36);
  packet.fill(0x70, 36, 56);
  packet.writeInt32BE(-1, 92);
  packet.writeUInt16BE(port, 96);
  createUdpHandler(tracker, ids, clock, log)(socket, packet, { address, port: 6881 });
  return { sent, tracker, log };
}

const CASES = [
  { name: 'an address that is not one', address: 'not-an-address', port: 6881, code: 'BAD_ADDRESS' },
  { name: 'an IPv4 address with a part over 255', address: '10.0.0.256', port: 6881, code: 'BAD_ADDRESS' },
  { name: 'port 0', address: '10.0.0.1', port: 0, code: 'BAD_PORT' },
] as const;

describe('an unusable announce gets the same answer over HTTP and UDP', () => {
  for (const c of CASES) {
    test(`HTTP: ${c.name}`, () => {
      const { res, tracker, log } = httpAnnounce(c.address, c.port);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, encodeFailure(PROTOCOL_ERROR_TEXTS[c.code]));
      assert.equal(tracker.counters.failures.get(c.code), 1);
      assert.equal(tracker.counters.httpErrors.get('500 Internal Server Error'), 0);
      assert.deepEqual(log.lines, [], 'nothing logged');
      assert.equal(tracker.store.torrents.size, 0, 'no peer stored');
    });

    test(`UDP: ${c.name}`, () => {
      const { sent, tracker, log } = udpAnnounce(c.address, c.port);
      assert.equal(sent.length, 1, 'answered, not dropped');
      assert.equal(sent[0]!.readUInt32BE(0), 3, 'an action-3 error');
      assert.equal(sent[0]!.readUInt32BE(4), 0x1234);
      assert.equal(sent[0]!.subarray(8).toString(), PROTOCOL_ERROR_TEXTS[c.code]);
      assert.equal(tracker.counters.failures.get(c.code), 1);
      assert.equal(tracker.counters.udpErrors, 0);
      assert.equal(tracker.counters.udpAnnounces, 0);
      assert.deepEqual(log.lines, [], 'nothing logged');
      assert.equal(tracker.store.torrents.size, 0, 'no peer stored');
    });
  }
});
