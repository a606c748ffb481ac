import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterCountView, type ViewJournal, type ViewStore } from './cluster-count-view.js';

const A = 'aa'.repeat(20);
const B = 'bb'.repeat(20);
const key = (hex: string): string => Buffer.from(hex, 'hex').toString('latin1');

/** A journal in memory: every record gets the next seq and is durable at once (or is dropped when `full`). */
function fakeJournal(lastSeq = 0) {
  const rows: Array<[number, number, string]> = [];
  let last = lastSeq;
  let dropped = 0;
  const j = {
    full: false,
    lastSeq,
    record(k: string, t: number) {
      if (j.full) dropped++;
      else rows.push([++last, t, Buffer.from(k, 'latin1').toString('hex')]);
    },
    status: () => ({ id: 'j1', first: 1, last, pending: 0, writeErrors: 0, syncErrors: 0, dropped, lastError: null }),
    entries: (since: number, limit: number) => rows.filter((r) => r[0] > since).slice(0, limit),
  };
  return j;
}

function fakeStore(): ViewStore & { shown: Map<string, number> } {
  const torrents = new Map<string, { downloaded: number }>();
  return {
    torrents: torrents as unknown as ViewStore['torrents'],
    shown: new Map(),
    setDownloaded(k: string, n: number) {
      this.shown.set(Buffer.from(k, 'latin1').toString('hex'), n);
      const t = torrents.get(k);
      if (t) t.downloaded = n;
      else torrents.set(k, { downloaded: n });
    },
  };
}

const clock = { now: () => 120_000, random: () => 0.5 };
const addr = new Uint8Array([10, 0, 0, 1, 0x1a, 0xe1]);

test('cluster count view: a completion counted here is pending and shown on top of the global count', () => {
  const journal = fakeJournal();
  const store = fakeStore();
  const view = new ClusterCountView(journal as unknown as ViewJournal, store, clock, 10);
  view.replace({ clusterId: 'c1', counts: { [A]: '5' }, seq: 5, ack: 0, feed: [] });
  assert.equal(store.shown.get(A), 5);
  view.record(key(A), 1000);
  view.completed({ infoHash: key(A), addr, addrLen: 6, peerId: 'p'.repeat(20) });
  assert.equal(view.pendingTotal, 1);
  const { batch, args } = view.unacknowledged(100);
  assert.deepEqual(batch, [[1, 1000, A]]);
  assert.equal(args.length, 5);
  assert.deepEqual(args.slice(0, 3), ['1', '1000', A]);
  assert.ok(args[3] !== '' && args[4] !== '', 'client and address keys go with the batch');
  // a completion the journal dropped is neither pending nor sent
  journal.full = true;
  view.record(key(B), 1001);
  assert.equal(view.pendingTotal, 1);
});

test('cluster count view: the feed and an acknowledgement move counts from pending to global, never twice', () => {
  const journal = fakeJournal();
  const store = fakeStore();
  const view = new ClusterCountView(journal as unknown as ViewJournal, store, clock, 10);
  view.replace({ clusterId: 'c1', counts: {}, seq: 0, ack: 0, feed: [] });
  view.record(key(A), 1000);
  view.completed({ infoHash: key(A), addr, addrLen: 6, peerId: null });
  const { batch } = view.unacknowledged(100);
  // a gap in the feed (trimmed past the cursor) changes nothing: only a resync is exact
  assert.equal(view.advance([[2, 1000, A]], batch, 1), false);
  assert.equal(view.pendingTotal, 1);
  assert.equal(view.acked, 0);
  assert.equal(
    view.advance(
      [
        [1, 1000, A],
        [2, 1001, B],
      ],
      batch,
      1,
    ),
    true,
  );
  assert.equal(view.pendingTotal, 0);
  assert.equal(view.acked, 1);
  assert.equal(store.shown.get(A), 1);
  assert.equal(store.shown.get(B), 1);
  assert.equal(view.unacknowledged(100).batch.length, 0);
  assert.deepEqual(view.entries(1, 10), [[2, 1001, B]]);
  assert.deepEqual(view.status(), { id: 'c1', first: 1, last: 2, pending: 0, writeErrors: 0, syncErrors: 0, dropped: 0 });
});

test('cluster count view: a resync makes the journal past the acknowledgement pending and reshows every count', () => {
  const journal = fakeJournal();
  const store = fakeStore();
  const view = new ClusterCountView(journal as unknown as ViewJournal, store, clock, 10);
  assert.equal(view.seedAck(), 0, 'before the first sync the seed includes what was counted before this start');
  view.record(key(A), 1000);
  view.record(key(A), 1001);
  view.record(key(B), 1002);
  assert.deepEqual(view.seedCounts().sort(), [], 'nothing shown yet, so nothing to seed');
  view.replace({ clusterId: 'c2', counts: { [B]: '7' }, seq: 9, ack: 2, feed: [[9, 999, B]] });
  assert.equal(view.pendingTotal, 1, 'seq 3 is past the acknowledgement');
  assert.equal(store.shown.get(A), 0, 'a hash Redis does not count and nothing pending is shown as 0');
  assert.equal(store.shown.get(B), 8);
  assert.equal(view.status().first, 9);
  assert.equal(view.seedAck(), 2);
  assert.deepEqual(view.seedCounts().sort(), [[B, 7]], 'the seed leaves out what is pending');
});
