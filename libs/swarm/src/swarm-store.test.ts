import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EVENT_COMPLETED,
  EVENT_NONE,
  EVENT_STARTED,
  EVENT_STOPPED,
  SwarmStore,
  type AnnounceEvent,
  type AnnounceInput,
  type AnnounceOutput,
} from './swarm-store.js';
import { readCompactIp, writeCompact } from './compact-address.js';
import { testAnnounce } from './swarm-test-peer.js';

const H = 'h'.repeat(20);

function peer(port: number, seeder: boolean, event: AnnounceEvent = EVENT_NONE, ip = '127.0.0.1', peerId = `p${port}`): AnnounceInput {
  return testAnnounce({ infoHash: H, ip, port, seeder, event, peerId });
}

function ann(s: SwarmStore, a: AnnounceInput, minute: number, random: number): AnnounceOutput {
  const out = s.announce(a, minute, random);
  assert.ok(out !== null, 'announce refused');
  return out;
}

function store(): SwarmStore {
  return new SwarmStore({ peerTimeoutMinutes: 45, completionWindowMinutes: 1440 });
}

describe('SwarmStore completion counting', () => {
  // [name, sequence of (port, seeder, event, peerId?), expected downloaded]
  const rows: Array<[string, Array<[number, boolean, AnnounceEvent, string?]>, number]> = [
    [
      'leecher completes once',
      [
        [1, false, EVENT_STARTED],
        [1, true, EVENT_COMPLETED],
      ],
      1,
    ],
    [
      'repeated completed does not re-count',
      [
        [1, false, EVENT_STARTED],
        [1, true, EVENT_COMPLETED],
        [1, true, EVENT_COMPLETED],
        [1, true, EVENT_NONE],
      ],
      1,
    ],
    [
      'stop and start again does not re-count',
      [
        [1, true, EVENT_COMPLETED],
        [1, true, EVENT_STOPPED],
        [1, true, EVENT_STARTED],
        [1, true, EVENT_COMPLETED],
      ],
      1,
    ],
    [
      'same client on a new port does not re-count',
      [
        [1, true, EVENT_COMPLETED, 'same'],
        [2, true, EVENT_COMPLETED, 'same'],
      ],
      1,
    ],
    [
      'initial seeder is not a download',
      [
        [1, true, EVENT_STARTED],
        [1, true, EVENT_NONE],
      ],
      0,
    ],
    ['completed with left>0 is ignored', [[1, false, EVENT_COMPLETED]], 0],
    [
      'leecher turning seeder without the event counts',
      [
        [1, false, EVENT_STARTED],
        [1, true, EVENT_NONE],
      ],
      1,
    ],
    [
      'two clients count twice',
      [
        [1, true, EVENT_COMPLETED],
        [2, true, EVENT_COMPLETED],
      ],
      2,
    ],
    ['stopped unknown peer is harmless', [[9, false, EVENT_STOPPED]], 0],
    [
      'leecher stopping with nothing left counts',
      [
        [1, false, EVENT_STARTED],
        [1, true, EVENT_STOPPED],
      ],
      1,
    ],
    [
      'seeder stopping does not count',
      [
        [1, true, EVENT_STARTED],
        [1, true, EVENT_STOPPED],
      ],
      0,
    ],
    [
      'leecher stopping midway does not count',
      [
        [1, false, EVENT_STARTED],
        [1, false, EVENT_STOPPED],
      ],
      0,
    ],
  ];
  for (const [name, seq, expected] of rows) {
    test(name, () => {
      const s = store();
      let last = 0;
      for (const [port, seeder, event, id] of seq) last = ann(s, peer(port, seeder, event, '127.0.0.1', id), 10, 0).downloaded;
      assert.equal(s.get(H)?.downloaded ?? 0, expected);
      assert.equal(last, expected);
    });
  }

  test('a completion counts again after the window', () => {
    const s = new SwarmStore({ peerTimeoutMinutes: 45, completionWindowMinutes: 60 });
    ann(s, peer(1, true, EVENT_COMPLETED), 0, 0);
    ann(s, peer(1, true, EVENT_STOPPED), 1, 0);
    s.expire(61);
    ann(s, peer(1, true, EVENT_COMPLETED), 61, 0);
    assert.equal(s.get(H)!.downloaded, 2);
  });
});

describe('SwarmStore peers', () => {
  test('the requester is not returned to itself; v4 and v6 peers go to their own keys', () => {
    const s = store();
    const first = ann(s, peer(1, false), 1, 0);
    assert.equal(first.peers.length, 0);
    ann(s, peer(2, true, EVENT_NONE, '::1'), 1, 0);
    const r = ann(s, peer(3, false), 1, 0.5);
    assert.equal(r.peers.length, 6);
    assert.equal(r.peers6?.length, 18);
    assert.deepEqual([r.complete, r.incomplete], [1, 2]);
  });

  test('numwant 0 returns no peers but the counts', () => {
    const s = store();
    ann(s, peer(1, false), 1, 0);
    const r = ann(s, { ...peer(2, true), numwant: 0 }, 1, 0);
    assert.equal(r.peers.length, 0);
    assert.deepEqual([r.complete, r.incomplete], [1, 1]);
  });

  test('expiry drops silent peers, keeps torrents with downloads, forgets empty idle ones', () => {
    const s = store();
    ann(s, { ...peer(1, true, EVENT_COMPLETED), infoHash: 'a'.repeat(20) }, 0, 0);
    ann(s, { ...peer(1, false), infoHash: 'b'.repeat(20) }, 0, 0);
    ann(s, { ...peer(2, false), infoHash: 'b'.repeat(20) }, 40, 0);
    assert.equal(s.expire(46), 2);
    assert.equal(s.get('a'.repeat(20))!.downloaded, 1);
    assert.equal(s.get('b'.repeat(20))!.v4!.count, 1);
    s.expire(200);
    assert.ok(s.get('a'.repeat(20)));
    assert.equal(s.get('b'.repeat(20)), undefined);
  });

  test('dropPeers keeps the download count', () => {
    const s = store();
    ann(s, peer(1, true, EVENT_COMPLETED), 0, 0);
    ann(s, peer(2, false), 0, 0);
    assert.equal(s.dropPeers(H), 2);
    assert.equal(s.get(H)!.downloaded, 1);
    assert.equal(s.get(H)!.v4, null);
  });

  test('restore never lowers a count', () => {
    const s = store();
    s.restore(H, 5, 0);
    s.restore(H, 3, 0);
    assert.equal(s.get(H)!.downloaded, 5);
  });
});

describe('compact addresses', () => {
  const rows: Array<[string, number, string | 0]> = [
    ['127.0.0.1', 6881, '7f0000011ae1'],
    ['::ffff:10.1.2.3', 1, '0a0102030001'],
    ['::1', 2, '000000000000000000000000000000010002'],
    ['2001:db8::8:800:200c:417a', 80, '20010db80000000000080800200c417a0050'],
    ['fe80::1%eth0', 1, 'fe800000000000000000000000000001' + '0001'],
    ['1.2.3', 1, 0],
    ['1.2.3.256', 1, 0],
    ['1.2.3.4.5', 1, 0],
    ['', 1, 0],
    ['a.b.c.d', 1, 0],
    ['1::2::3', 1, 0],
    ['1:2:3:4:5:6:7:8:9', 1, 0],
    ['12345::', 1, 0],
    ['01.2.3.4', 1, '010203040001'],
  ];
  for (const [ip, port, hex] of rows) {
    test(`${JSON.stringify(ip)} -> ${hex || 'refused'}`, () => {
      const out = Buffer.alloc(18);
      const n = writeCompact(ip, port, out);
      if (hex === 0) assert.equal(n, 0);
      else assert.equal(out.subarray(0, n).toString('hex'), hex);
    });
  }
  test('text form round trip', () => {
    const out = Buffer.alloc(18);
    writeCompact('2001:db8::1', 1, out);
    assert.equal(readCompactIp(out, 0, 18), '2001:db8::1');
    writeCompact('10.0.0.1', 1, out);
    assert.equal(readCompactIp(out, 0, 6), '10.0.0.1');
  });
});
