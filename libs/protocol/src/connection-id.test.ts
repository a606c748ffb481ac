import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createConnectionIds } from './connection-id.js';

const SECRET = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const OTHER = Buffer.from('ff'.repeat(32), 'hex');
const T = 1_700_000_040; // start of a 120 s window (1_700_000_040 / 120 = 14_166_667)

describe('connection ids', () => {
  test('the id is HMAC-SHA256(secret, u64be(window) || ip), first 8 bytes', () => {
    const w = Buffer.alloc(8);
    w.writeBigUInt64BE(BigInt(Math.floor(T / 120)));
    const want = createHmac('sha256', SECRET).update(w).update('127.0.0.1').digest().subarray(0, 8);
    assert.deepEqual(createConnectionIds(SECRET).issue('127.0.0.1', T), want);
  });

  const ids = createConnectionIds(SECRET);
  const id = ids.issue('10.0.0.1', T);
  const rows: Array<{ name: string; ok: () => boolean; want: boolean }> = [
    { name: 'same ip, same window, same id', ok: () => ids.issue('10.0.0.1', T + 119).equals(id), want: true },
    { name: 'verifies in the same window', ok: () => ids.verify(id, '10.0.0.1', T + 60), want: true },
    { name: 'different ip, different id', ok: () => ids.issue('10.0.0.2', T).equals(id), want: false },
    { name: 'other ip does not verify', ok: () => ids.verify(id, '10.0.0.2', T), want: false },
    { name: 'IPv6 ip differs', ok: () => ids.issue('::ffff:10.0.0.1', T).equals(id), want: false },
    { name: 'previous window accepted', ok: () => ids.verify(id, '10.0.0.1', T + 120), want: true },
    { name: 'end of the previous window accepted', ok: () => ids.verify(id, '10.0.0.1', T + 239.9), want: true },
    { name: 'next window issues a new id', ok: () => ids.issue('10.0.0.1', T + 120).equals(id), want: false },
    { name: 'two windows back rejected', ok: () => ids.verify(id, '10.0.0.1', T + 240), want: false },
    { name: 'different secret rejected', ok: () => createConnectionIds(OTHER).verify(id, '10.0.0.1', T), want: false },
    {
      name: 'same secret, new instance (restart) accepted',
      ok: () => createConnectionIds(SECRET).verify(id, '10.0.0.1', T + 1),
      want: true,
    },
    { name: 'wrong length 7', ok: () => createConnectionIds(SECRET).verify(id.subarray(0, 7), '10.0.0.1', T), want: false },
    {
      name: 'wrong length 9',
      ok: () => createConnectionIds(SECRET).verify(Buffer.concat([id, Buffer.alloc(1)]), '10.0.0.1', T),
      want: false,
    },
    { name: 'zero id', ok: () => createConnectionIds(SECRET).verify(Buffer.alloc(8), '10.0.0.1', T), want: false },
    {
      name: 'one bit flipped',
      ok: () => {
        const b = Buffer.from(id);
        b[7]! ^= 1;
        return createConnectionIds(SECRET).verify(b, '10.0.0.1', T);
      },
      want: false,
    },
    { name: 'future window rejected', ok: () => createConnectionIds(SECRET).verify(id, '10.0.0.1', T - 1), want: false },
    {
      name: 'opentracker golden connect id rejected',
      ok: () => createConnectionIds(SECRET).verify(Buffer.from('b14e158be865c8f4', 'hex'), '127.0.0.1', T),
      want: false,
    },
  ];
  // The rows share one instance on purpose: they run in order and exercise the window cache moving forward.
  for (const r of rows) test(r.name, () => assert.equal(r.ok(), r.want));

  test('verify works without a prior issue (cache cold), also for the previous window', () => {
    const a = createConnectionIds(SECRET);
    const b = createConnectionIds(SECRET);
    const old = a.issue('192.0.2.7', T);
    assert.equal(b.verify(old, '192.0.2.7', T + 150), true);
    assert.equal(b.verify(old, '192.0.2.7', T + 150), true, 'second time from the cache');
  });

  test("after a window ends, the previous window's id keeps verifying from the cache, without an HMAC per packet", () => {
    const a = createConnectionIds(SECRET);
    const ip = '192.0.2.9';
    const start = Math.ceil(T / 120) * 120;
    const given = a.issue(ip, start + 100);
    assert.equal(a.hmacs, 1);
    // the next window: the client keeps its id for a minute, packet after packet
    for (let i = 0; i < 50; i++) assert.equal(a.verify(given, ip, start + 121 + i), true);
    assert.equal(a.hmacs, 1, "answered from the previous window's cache");
    // a wrong id from that address still costs at most the two windows' HMACs, once each, and is refused
    assert.equal(a.verify(Buffer.alloc(8, 1), ip, start + 180), false);
    assert.equal(a.verify(Buffer.alloc(8, 2), ip, start + 181), false);
    assert.equal(a.hmacs, 3, "only this window's id was missing from the caches");
    // two windows on, the id is refused
    assert.equal(a.verify(given, ip, start + 240), false);
  });

  test('clock going back resets the cache but ids stay valid', () => {
    const a = createConnectionIds(SECRET);
    const early = a.issue('192.0.2.8', T);
    a.issue('192.0.2.8', T + 10_000);
    assert.equal(a.verify(early, '192.0.2.8', T + 5), true);
  });

  test('bounded cache: many ips still verify', () => {
    const a = createConnectionIds(SECRET, 120, 16);
    const issued = Array.from({ length: 100 }, (_, i) => [`10.1.0.${i}`, a.issue(`10.1.0.${i}`, T)] as const);
    for (const [ip, cid] of issued) assert.equal(a.verify(cid, ip, T + 1), true);
  });

  test('failed verifications do not evict good entries', () => {
    const a = createConnectionIds(SECRET, 120, 4);
    const good = a.issue('10.2.0.1', T);
    for (let i = 0; i < 50; i++) assert.equal(a.verify(Buffer.alloc(8, i), `10.3.0.${i}`, T), false);
    assert.equal(a.verify(good, '10.2.0.1', T), true);
  });

  test('custom window length', () => {
    const a = createConnectionIds(SECRET, 30);
    const cid = a.issue('10.0.0.9', 60);
    assert.equal(a.verify(cid, '10.0.0.9', 89), true);
    assert.equal(a.verify(cid, '10.0.0.9', 119), true);
    assert.equal(a.verify(cid, '10.0.0.9', 120), false);
  });

  const bad: Array<{ name: string; fn: () => unknown }> = [
    { name: 'short secret', fn: () => createConnectionIds(Buffer.alloc(15)) },
    { name: 'zero window', fn: () => createConnectionIds(SECRET, 0) },
    { name: 'NaN window', fn: () => createConnectionIds(SECRET, Number.NaN) },
    { name: 'zero cache', fn: () => createConnectionIds(SECRET, 120, 0) },
    { name: 'NaN time', fn: () => createConnectionIds(SECRET).issue('1.2.3.4', Number.NaN) },
    { name: 'negative time', fn: () => createConnectionIds(SECRET).verify(Buffer.alloc(8), '1.2.3.4', -1) },
  ];
  for (const r of bad) test(`refuses ${r.name}`, () => assert.throws(r.fn, RangeError));

  test('the secret is copied: changing the caller buffer later has no effect', () => {
    const s = Buffer.from(SECRET);
    const a = createConnectionIds(s);
    s.fill(0);
    assert.deepEqual(a.issue('1.2.3.4', T), createConnectionIds(SECRET).issue('1.2.3.4', T));
  });
});
