import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { mutated, udpPacketArb } from '../../../test/helpers/fuzz.js';
import { UDP_MAX_SCRAPE_HASHES, decodeUdpRequest } from './udp.js';

/**
 * Fuzz of the BEP 15 request decoder: 120,000 generated, mutated and raw datagrams. For every input: no
 * throw, and either null (dropped) or a request whose every field is what the bytes say, within range.
 * The full handler, replies included, is fuzzed in apps/tracker/src/udp-server.fuzz.test.ts.
 */

const SEED = 1515;

function check(msg: Buffer): void {
  const r = decodeUdpRequest(msg);
  if (r === null) return;
  assert.ok(msg.length >= 16);
  assert.equal(r.transactionId, msg.readUInt32BE(12));
  assert.equal(r.action, msg.readUInt32BE(8));
  switch (r.action) {
    case 0:
      assert.equal(msg.readUInt32BE(0), 0x417);
      assert.equal(msg.readUInt32BE(4), 0x27101980);
      break;
    case 1:
      assert.ok(msg.length >= 98);
      assert.deepEqual(Buffer.from(r.connectionId), msg.subarray(0, 8));
      assert.equal(r.infoHash, msg.toString('latin1', 16, 36));
      assert.equal(r.peerId, msg.toString('latin1', 36, 56));
      assert.equal(r.left, Number(msg.readBigUInt64BE(64)));
      assert.equal(r.port, msg.readUInt16BE(96));
      assert.equal(r.event, msg.readUInt32BE(80) <= 3 ? msg.readUInt32BE(80) : 0);
      assert.equal(r.numWant, msg.readInt32BE(92) < 0 ? null : msg.readInt32BE(92));
      break;
    case 2: {
      const n = Math.min(Math.floor((msg.length - 16) / 20), UDP_MAX_SCRAPE_HASHES);
      assert.ok(n >= 1);
      assert.equal(r.infoHashes.length, n);
      r.infoHashes.forEach((h, i) => assert.equal(h, msg.toString('latin1', 16 + 20 * i, 36 + 20 * i)));
      break;
    }
    default:
      assert.fail(`action ${String((r as { action: unknown }).action)}`);
  }
}

test('fuzz: generated datagrams (40,000)', () => {
  fc.assert(
    fc.property(udpPacketArb, (p) => check(Buffer.from(p))),
    { seed: SEED, numRuns: 40_000 },
  );
});

test('fuzz: mutated datagrams (50,000)', () => {
  fc.assert(
    fc.property(mutated(udpPacketArb), (p) => check(p)),
    { seed: SEED + 1, numRuns: 50_000 },
  );
});

test('fuzz: raw bytes, short and long (30,000)', () => {
  const raw = fc.oneof(
    { weight: 19, arbitrary: fc.uint8Array({ maxLength: 120 }) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 1400, maxLength: 9000 }) },
  );
  fc.assert(
    fc.property(raw, (p) => check(Buffer.from(p))),
    { seed: SEED + 2, numRuns: 30_000 },
  );
  assert.ok(process.memoryUsage().heapUsed < 512 * 1024 * 1024, 'heap stays bounded');
});
