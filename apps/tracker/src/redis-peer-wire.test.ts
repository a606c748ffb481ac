import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  KIND_CHANGES,
  KIND_HELLO,
  MAX_MESSAGE_BYTES,
  addrString,
  decodeMessage,
  encodeKeyRecord,
  encodeMessages,
  encodeRecord,
} from './redis-peer-wire.js';

const instance = Buffer.from('0123456789abcdef', 'hex');

describe('peer changes between instances', () => {
  test('round trip of IPv4 and IPv6 changes, split under the message size', () => {
    const recs = [];
    const want = [];
    for (let i = 0; i < 5000; i++) {
      const v6 = i % 3 === 0;
      const addr = Buffer.alloc(v6 ? 18 : 6, i & 0xff);
      const hash = Buffer.alloc(20, i % 7).toString('latin1');
      recs.push(encodeRecord(hash, addr, v6 ? 18 : 6, i % 2 === 0, i % 5 === 0));
      want.push({ infoHash: hash, addr, seeder: i % 2 === 0, stopped: i % 5 === 0 });
    }
    const msgs = encodeMessages(KIND_CHANGES, instance, recs);
    assert.ok(msgs.length > 1);
    const got = [];
    for (const m of msgs) {
      assert.ok(m.length <= MAX_MESSAGE_BYTES);
      const d = decodeMessage(m);
      assert.ok(d !== null && d.kind === KIND_CHANGES && d.instance === '0123456789abcdef');
      got.push(...d.changes);
    }
    assert.deepEqual(got, want);
    const hello = encodeMessages(KIND_HELLO, instance, []);
    assert.equal(hello.length, 1);
    assert.equal(decodeMessage(hello[0]!)?.kind, KIND_HELLO);
  });

  test('a record built from an outbox key equals the one built from the announce', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 20, maxLength: 20 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.uint8Array({ minLength: 18, maxLength: 18 }),
        (h, v6, seeder, stopped, a) => {
          const len = v6 ? 18 : 6;
          const hash = Buffer.from(h).toString('latin1');
          const key = hash + addrString(a, len);
          return encodeKeyRecord(key, (seeder ? 1 : 0) | (stopped ? 2 : 0)).equals(encodeRecord(hash, a, len, seeder, stopped));
        },
      ),
      { seed: 42, numRuns: 500 },
    );
  });

  test('any bytes decode to null or to well-formed changes, never a throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, withHeader) => {
        const buf = withHeader ? Buffer.concat([Buffer.from('P1\x00', 'latin1'), instance, Buffer.from(bytes)]) : Buffer.from(bytes);
        const d = decodeMessage(buf);
        if (d === null) return true;
        return d.changes.every((c) => c.infoHash.length === 20 && (c.addr.length === 6 || c.addr.length === 18));
      }),
      { seed: 42, numRuns: 2000 },
    );
  });
});
