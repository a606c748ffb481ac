import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_COMPLETED, EVENT_NONE, EVENT_STOPPED, writeCompact } from '../../../libs/swarm/src/index.js';
import { TEST_NOW, testSettings } from './test-tracker.js';
import { Tracker, type PeerAnnounce } from './tracker.js';

const SETTINGS = testSettings('whitelist');

const A = 'a'.repeat(20);
const B = 'b'.repeat(20);

function fixedClock(random: number) {
  let now = TEST_NOW;
  return {
    now: () => now,
    random: () => random,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

function peer(infoHash: string, port: number, seeder: boolean, event: 0 | 1 | 2 | 3 = EVENT_NONE): PeerAnnounce {
  const addr = Buffer.alloc(18);
  const addrLen = writeCompact('10.0.0.1', port, addr) as 6;
  return {
    infoHash,
    addr,
    addrLen,
    seeder,
    downloaded: 0,
    event,
    peerId: `peer-${port}`.padEnd(20, '-'),
    numwant: null,
    numwantCap: 200,
    bothFamilies: true,
  };
}

describe('Tracker', () => {
  test('closed mode refuses everything until a list is loaded, then only listed hashes', () => {
    const t = new Tracker(SETTINGS, fixedClock(0.5));
    assert.equal(t.announce(peer(A, 1, false)), null);
    t.setAccessList(new Set([A]));
    assert.notEqual(t.announce(peer(A, 1, false)), null);
    assert.equal(t.announce(peer(B, 1, false)), null);
    assert.equal(t.counters.refused, 2);
  });

  test('de-listing drops peers, keeps the count, and still takes stops', () => {
    const t = new Tracker(SETTINGS, fixedClock(0.5));
    t.setAccessList(new Set([A]));
    t.announce(peer(A, 1, true, EVENT_COMPLETED));
    t.announce(peer(A, 2, false));
    assert.deepEqual(t.setAccessList(new Set()), { dropped: 2, delisted: 1 });
    assert.equal(t.announce(peer(A, 3, false)), null);
    assert.notEqual(t.announce(peer(A, 1, true, EVENT_STOPPED)), null);
    assert.deepEqual(t.scrape([A]), [{ infoHash: A, complete: 0, downloaded: 1, incomplete: 0 }]);
  });

  test('scrape: zeros for a listed torrent nobody announced yet, nothing for an unlisted one', () => {
    const t = new Tracker(SETTINGS, fixedClock(0.5));
    t.setAccessList(new Set([A]));
    assert.deepEqual(t.scrape([A, B]), [{ infoHash: A, complete: 0, downloaded: 0, incomplete: 0 }, null]);
  });

  for (const [random, interval] of [
    [0, 1620],
    [0.999999, 1980],
    [0.5, 1800],
  ] as const) {
    test(`interval with random ${random} is ${interval}, min interval half of it`, () => {
      const t = new Tracker({ ...SETTINGS, accessMode: 'open' }, fixedClock(random));
      const r = t.announce(peer(A, 1, false))!;
      assert.equal(r.interval, interval);
      assert.equal(r.minInterval, Math.floor(interval / 2));
    });
  }

  test('numwant: default, cap per transport, and zero', () => {
    const t = new Tracker({ ...SETTINGS, accessMode: 'open' }, fixedClock(0.1));
    for (let p = 1; p <= 120; p++) t.announce(peer(A, p, false));
    const want = (numwant: number | null, cap: number): number =>
      t.announce({ ...peer(A, 500, false), numwant, numwantCap: cap })!.peers.length / 6;
    assert.equal(want(null, 200), 50);
    assert.equal(want(1000, 200), 120);
    assert.equal(want(100, 66), 66);
    assert.equal(want(0, 200), 0);
  });

  test('peers time out after the peer timeout; counts stay', () => {
    const clock = fixedClock(0.5);
    const t = new Tracker({ ...SETTINGS, accessMode: 'open' }, clock);
    t.announce(peer(A, 1, true, EVENT_COMPLETED));
    clock.advance(46 * 60000);
    assert.equal(t.expire(), 1);
    assert.deepEqual(t.scrape([A]), [{ infoHash: A, complete: 0, downloaded: 1, incomplete: 0 }]);
  });

  test('restore keeps counts of de-listed releases but skips empty unlisted rows', () => {
    const t = new Tracker(SETTINGS, fixedClock(0.5));
    t.setAccessList(new Set([A]));
    assert.deepEqual(
      t.restore([
        { key: A, baseMinute: 1, downloaded: 3 },
        { key: B, baseMinute: 1, downloaded: 2 },
        { key: 'c'.repeat(20), baseMinute: 1, downloaded: 0 },
      ]),
      { restored: 2, skipped: 1 },
    );
    assert.equal(t.store.get(B)!.downloaded, 2);
  });
});
