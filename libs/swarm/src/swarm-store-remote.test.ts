import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_COMPLETED, EVENT_NONE, SwarmStore, counts, type AnnounceEvent, type AnnounceInput } from './swarm-store.js';
import { writeCompact } from './compact-address.js';

/** Peers merged from other instances (shared swarms) and counts set from the cluster-wide figure. */
const H = 'r'.repeat(20);

function addr(port: number, ip = '10.0.0.1'): Buffer {
  const a = Buffer.alloc(18);
  writeCompact(ip, port, a);
  return a.subarray(0, ip.includes(':') ? 18 : 6);
}

function local(port: number, seeder: boolean, event: AnnounceEvent = EVENT_NONE): AnnounceInput {
  return {
    infoHash: H,
    addr: addr(port),
    addrOff: 0,
    addrLen: 6,
    seeder,
    downloaded: 0,
    event,
    peerId: `p${port}`.padEnd(20, '-'),
    numwant: 50,
    bothFamilies: true,
  };
}

describe('SwarmStore.mergeRemote', () => {
  test('a remote peer is handed out and counted as seeder/leecher; its stop removes it; nothing is counted as a download', () => {
    const s = new SwarmStore({ peerTimeoutMinutes: 45, completionWindowMinutes: 1440 });
    assert.equal(s.mergeRemote(H, addr(1), 0, 6, true, false, 100), true);
    assert.equal(s.mergeRemote(H, addr(2, '2001:db8::1'), 0, 18, false, false, 100), true);
    const out = s.announce(local(3, false), 100, 0)!;
    assert.equal(out.complete, 1);
    assert.equal(out.incomplete, 2);
    assert.equal(out.peers.length, 6);
    assert.equal(out.peers6?.length, 18);
    assert.equal(s.get(H)!.downloaded, 0);
    s.mergeRemote(H, addr(1), 0, 6, true, true, 101);
    assert.equal(counts(s.get(H)!).complete, 0);
    // stops of unknown peers and torrents are harmless
    assert.equal(s.mergeRemote('x'.repeat(20), addr(9), 0, 6, false, true, 101), true);
    assert.equal(s.get('x'.repeat(20)), undefined);
  });

  test('a remote seeder that next announces here completed is not counted again; a remote leecher finishing here is', () => {
    const s = new SwarmStore({ peerTimeoutMinutes: 45, completionWindowMinutes: 1440 });
    s.mergeRemote(H, addr(1), 0, 6, true, false, 100);
    s.announce(local(1, true, EVENT_COMPLETED), 100, 0);
    assert.equal(s.get(H)!.downloaded, 0);
    s.mergeRemote(H, addr(2), 0, 6, false, false, 100);
    assert.equal(s.announce(local(2, true, EVENT_COMPLETED), 100, 0)!.counted, true);
  });

  test('remote peers expire like local ones, refreshed by each merge; caps hold', () => {
    const s = new SwarmStore({ peerTimeoutMinutes: 45, completionWindowMinutes: 1440, maxTorrents: 1, maxPeersPerTorrent: 2 });
    s.mergeRemote(H, addr(1), 0, 6, false, false, 100);
    s.mergeRemote(H, addr(2), 0, 6, false, false, 100);
    s.mergeRemote(H, addr(3), 0, 6, false, false, 100);
    assert.equal(counts(s.get(H)!).peers, 2);
    assert.equal(s.peersNotStored, 1);
    assert.equal(s.mergeRemote('y'.repeat(20), addr(1), 0, 6, false, false, 100), false);
    s.mergeRemote(H, addr(1), 0, 6, false, false, 140);
    assert.equal(s.expire(146), 1);
    assert.equal(counts(s.get(H)!).peers, 1);
  });

  test('setDownloaded sets the cluster figure and marks the state dirty only on a change', () => {
    const s = new SwarmStore({ peerTimeoutMinutes: 45, completionWindowMinutes: 1440 });
    s.setDownloaded(H, 0, 1);
    assert.equal(s.get(H), undefined);
    s.setDownloaded(H, 7, 1);
    const g = s.countsGeneration;
    s.setDownloaded(H, 7, 1);
    assert.equal(s.countsGeneration, g);
    s.setDownloaded(H, 5, 1);
    assert.equal(s.get(H)!.downloaded, 5);
    assert.ok(s.countsGeneration > g);
  });
});
