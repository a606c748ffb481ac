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
} from './swarm-store.js';
import { testAnnounce } from './swarm-test-peer.js';

/** Counting rules that are not about one peer's own history: first announces, per-address limits, caps. */
const H = 'h'.repeat(20);

function peer(
  ip: string,
  port: number,
  left0: boolean,
  event: AnnounceEvent,
  downloaded = 0,
  peerId = `p${ip}:${port}`,
  infoHash = H,
): AnnounceInput {
  return testAnnounce({ infoHash, ip, port, seeder: left0, event, downloaded, peerId });
}

const store = (extra: Partial<ConstructorParameters<typeof SwarmStore>[0]> = {}): SwarmStore =>
  new SwarmStore({ peerTimeoutMinutes: 45, completionWindowMinutes: 1440, ...extra });

describe('first announces', () => {
  test('left=0 with downloaded>0 on a first announce is a download (a web-seed client), over any event', () => {
    for (const event of [EVENT_STARTED, EVENT_NONE, EVENT_COMPLETED] as const) {
      const s = store();
      assert.equal(s.announce(peer('10.0.0.1', 6881, true, event, 6291456), 1, 0)!.counted, true, `event ${event}`);
      assert.equal(s.get(H)!.downloaded, 1);
      // its later announces do not count again
      s.announce(peer('10.0.0.1', 6881, true, EVENT_NONE, 6291456), 2, 0);
      s.announce(peer('10.0.0.1', 6881, true, EVENT_COMPLETED, 6291456), 3, 0);
      s.announce(peer('10.0.0.1', 6881, true, EVENT_STOPPED, 6291456), 4, 0);
      assert.equal(s.get(H)!.downloaded, 1);
    }
  });

  test("left=0 with downloaded=0 (the publisher's seeder) is never a download", () => {
    const s = store();
    s.announce(peer('10.0.0.1', 6881, true, EVENT_STARTED, 0), 1, 0);
    s.announce(peer('10.0.0.1', 6881, true, EVENT_NONE, 0), 2, 0);
    s.announce(peer('10.0.0.1', 6881, true, EVENT_STOPPED, 0), 3, 0);
    assert.equal(s.get(H)!.downloaded, 0);
  });

  test('a seeder that later reports downloaded>0 is still not a download', () => {
    const s = store();
    s.announce(peer('10.0.0.1', 6881, true, EVENT_STARTED, 0), 1, 0);
    s.announce(peer('10.0.0.1', 6881, true, EVENT_NONE, 100), 2, 0);
    assert.equal(s.get(H)!.downloaded, 0);
  });

  test('a leecher with downloaded>0 is not a download until it finishes', () => {
    const s = store();
    s.announce(peer('10.0.0.1', 6881, false, EVENT_STARTED, 100), 1, 0);
    assert.equal(s.get(H)!.downloaded, 0);
    s.announce(peer('10.0.0.1', 6881, true, EVENT_COMPLETED, 200), 2, 0);
    assert.equal(s.get(H)!.downloaded, 1);
  });
});

describe('per-address limit', () => {
  test('100 completions from one IPv4 address, new ports and peer_ids, add at most the limit', () => {
    const s = store({ completionsPerAddress: 3 });
    for (let i = 0; i < 100; i++) s.announce(peer('10.0.0.1', 1000 + i, true, EVENT_COMPLETED, 0, `id${i}`), 1, 0);
    assert.equal(s.get(H)!.downloaded, 3);
    assert.equal(s.refusals.addressLimit, 97);
  });

  test('100 completions from distinct addresses add 100', () => {
    const s = store({ completionsPerAddress: 1 });
    for (let i = 0; i < 100; i++) s.announce(peer(`10.0.${i >> 8}.${i & 255}`, 6881, true, EVENT_COMPLETED), 1, 0);
    assert.equal(s.get(H)!.downloaded, 100);
  });

  test('an IPv6 /64 is one address; another /64 is another', () => {
    const s = store({ completionsPerAddress: 2 });
    for (let i = 1; i <= 10; i++) s.announce(peer(`2001:db8:0:1::${i.toString(16)}`, 6881, true, EVENT_COMPLETED), 1, 0);
    assert.equal(s.get(H)!.downloaded, 2);
    for (let i = 1; i <= 10; i++) s.announce(peer(`2001:db8:0:${(i + 1).toString(16)}::1`, 6881, true, EVENT_COMPLETED), 1, 0);
    assert.equal(s.get(H)!.downloaded, 12);
  });

  test('the limit is per torrent and per window', () => {
    const s = new SwarmStore({ peerTimeoutMinutes: 45, completionWindowMinutes: 60, completionsPerAddress: 1 });
    s.announce(peer('10.0.0.1', 1, true, EVENT_COMPLETED, 0, 'a'), 0, 0);
    s.announce(peer('10.0.0.1', 2, true, EVENT_COMPLETED, 0, 'b'), 10, 0);
    s.announce(peer('10.0.0.1', 3, true, EVENT_COMPLETED, 0, 'c', 'x'.repeat(20)), 10, 0);
    assert.equal(s.get(H)!.downloaded, 1);
    assert.equal(s.get('x'.repeat(20))!.downloaded, 1);
    s.expire(61);
    s.announce(peer('10.0.0.1', 4, true, EVENT_COMPLETED, 0, 'd'), 61, 0);
    assert.equal(s.get(H)!.downloaded, 2);
  });

  test('dedupe memory is bounded; a flood of new addresses is refused, remembered clients are not evicted', () => {
    const s = store({ completionsPerAddress: 2, maxCompleters: 100 });
    // a real client completes first
    s.announce(peer('192.168.1.1', 1, true, EVENT_COMPLETED, 0, 'real'), 1, 0);
    for (let i = 0; i < 1000; i++) s.announce(peer(`10.1.${i >> 8}.${i & 255}`, 6881, true, EVENT_COMPLETED), 1, 0);
    assert.ok(s.dedupeEntries <= 100, `entries ${s.dedupeEntries}`);
    assert.ok(s.refusals.dedupeFull > 0);
    const before = s.get(H)!.downloaded;
    // the real client is still remembered: repeating is a duplicate, not a new download
    s.announce(peer('192.168.1.1', 2, true, EVENT_COMPLETED, 0, 'real'), 2, 0);
    assert.equal(s.get(H)!.downloaded, before);
    assert.equal(s.refusals.duplicate, 1);
    // expiry gives the memory back
    s.expire(1 + 1440);
    assert.equal(s.dedupeEntries, 0);
  });
});

describe('caps', () => {
  test('maxTorrents refuses new torrents, keeps serving known ones', () => {
    const s = store({ maxTorrents: 2 });
    assert.ok(s.announce(peer('10.0.0.1', 1, false, EVENT_STARTED, 0, 'a', 'a'.repeat(20)), 1, 0));
    assert.ok(s.announce(peer('10.0.0.1', 1, false, EVENT_STARTED, 0, 'a', 'b'.repeat(20)), 1, 0));
    assert.equal(s.announce(peer('10.0.0.1', 1, false, EVENT_STARTED, 0, 'a', 'c'.repeat(20)), 1, 0), null);
    assert.ok(s.announce(peer('10.0.0.2', 1, false, EVENT_STARTED, 0, 'b', 'a'.repeat(20)), 1, 0));
    assert.equal(s.torrents.size, 2);
  });

  test('idle count-only torrents expire after countOnlyTimeoutMinutes; without it they are kept forever', () => {
    const open = store({ countOnlyTimeoutMinutes: 1440 });
    const closed = store();
    for (const s of [open, closed]) {
      s.announce(peer('10.0.0.1', 1, true, EVENT_COMPLETED), 0, 0);
      s.expire(100);
      assert.equal(s.get(H)!.downloaded, 1);
      assert.equal(s.get(H)!.v4, null);
      s.expire(100 + 1441);
    }
    assert.equal(open.get(H), undefined);
    assert.equal(open.dedupeEntries, 0);
    assert.equal(closed.get(H)!.downloaded, 1);
  });

  test('maxPeersPerTorrent: peers beyond the cap are answered (and counted) but not stored', () => {
    const s = store({ maxPeersPerTorrent: 10 });
    for (let i = 0; i < 30; i++) s.announce(peer(`10.0.0.${i + 1}`, 1, false, EVENT_STARTED), 1, 0);
    assert.equal(s.get(H)!.v4!.count, 10);
    assert.equal(s.peersNotStored, 20);
    const r = s.announce(peer('10.0.1.1', 1, true, EVENT_COMPLETED), 1, 0)!;
    assert.equal(r.counted, true);
    assert.equal(r.peers.length, 10 * 6);
  });
});
