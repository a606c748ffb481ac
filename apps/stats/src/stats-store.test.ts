import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StatsStore } from './stats-store.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const DAY1 = Date.parse('2024-03-01T10:00:00Z');
const DAY2 = Date.parse('2024-03-02T10:00:00Z');
const e = (infoHash: string, downloaded: number, seeders = 1, leechers = 0) => ({ infoHash, seeders, leechers, downloaded });

function withStore(fn: (store: StatsStore, file: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stats-store-'));
  const file = path.join(dir, 'sub', 'stats.sqlite');
  const store = new StatsStore(file);
  try {
    fn(store, file);
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('StatsStore', () => {
  test('5 -> 7 -> 2 -> 3 stores a total of 10, split per UTC day', () => {
    withStore((store) => {
      store.recordPoll([e(A, 5)], DAY1);
      store.recordPoll([e(A, 7)], DAY1 + 60_000);
      store.recordPoll([e(A, 2)], DAY2);
      const rec = store.recordPoll([e(A, 3)], DAY2 + 60_000);
      assert.equal(rec.newDownloads, 1);
      const s = store.hash(A)!;
      assert.equal(s.total, 10);
      assert.equal(s.lastRaw, 3);
      assert.equal(s.firstSeen, DAY1);
      assert.deepEqual(
        store.history(A).map((h) => [h.date, h.downloads]),
        [
          ['2024-03-01', 7],
          ['2024-03-02', 3],
        ],
      );
      assert.equal(store.lastSuccessAt(), DAY2 + 60_000);
    });
  });

  test('samples only on change; a hash missing from the dump keeps its total but has no peers', () => {
    withStore((store, file) => {
      assert.equal(store.recordPoll([e(A, 1, 2, 3), e(B, 0)], DAY1).samples, 2);
      assert.equal(store.recordPoll([e(A, 1, 2, 3), e(B, 0)], DAY1 + 1).samples, 0);
      assert.equal(store.recordPoll([e(B, 0)], DAY1 + 2).samples, 1);
      const a = store.hash(A)!;
      assert.deepEqual([a.total, a.seeders, a.leechers], [1, 0, 0]);
      const db = new Database(file, { readonly: true });
      assert.equal((db.prepare('SELECT count(*) n FROM samples').get() as { n: number }).n, 3);
      db.close();
    });
  });

  test('WAL mode, schema version, data survives reopening', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stats-store-'));
    const file = path.join(dir, 'stats.sqlite');
    try {
      const s1 = new StatsStore(file);
      s1.recordPoll([e(A, 4)], DAY1);
      s1.close();
      const db = new Database(file);
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(db.pragma('user_version', { simple: true }), 2);
      db.close();
      const s2 = new StatsStore(file);
      s2.recordPoll([e(A, 1)], DAY2);
      assert.equal(s2.hash(A)!.total, 5);
      s2.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('refuses a database from a newer program', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stats-store-'));
    const file = path.join(dir, 'stats.sqlite');
    try {
      const db = new Database(file);
      db.pragma('user_version = 99');
      db.close();
      assert.throws(() => new StatsStore(file), /newer/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('feed pages: counts and cursor in one transaction; a stale cursor writes nothing; per day from entry times', () => {
    withStore((store) => {
      store.setCatalog(new Set([A]));
      const r1 = store.applyCompletions(
        null,
        { journal: 'j1', cursor: 2 },
        [
          { seq: 1, at: DAY1, infoHash: A },
          { seq: 2, at: DAY2, infoHash: A },
        ],
        DAY2,
      );
      assert.equal(r1.counted, 2);
      assert.deepEqual(store.feedCursor(), { journal: 'j1', cursor: 2 });
      assert.throws(
        () => store.applyCompletions(null, { journal: 'j1', cursor: 3 }, [{ seq: 3, at: DAY2, infoHash: A }], DAY2),
        /cursor moved/,
      );
      assert.throws(
        () => store.applyCompletions({ journal: 'j1', cursor: 1 }, { journal: 'j1', cursor: 3 }, [{ seq: 3, at: DAY2, infoHash: A }], DAY2),
        /cursor moved/,
      );
      assert.equal(store.hash(A)!.total, 2);
      assert.deepEqual(
        store.history(A).map((h) => [h.date, h.downloadsBitTorrent]),
        [
          ['2024-03-01', 1],
          ['2024-03-02', 1],
        ],
      );
    });
  });

  test('hashes outside the catalog get rows only up to the cap; direct downloads are kept apart', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stats-store-'));
    const store = new StatsStore(path.join(dir, 's.sqlite'), { maxUnknownHashes: 2 });
    try {
      store.setCatalog(new Set([A]));
      const junk = Array.from({ length: 50 }, (_, i) => e(i.toString(16).padStart(40, '0'), 1));
      const rec = store.recordPoll([e(A, 1), ...junk], DAY1);
      assert.equal(rec.dropped, 48);
      assert.equal(store.allHashes().length, 3);
      assert.equal(store.recordDirect(A, DAY1), true);
      assert.deepEqual([store.hash(A)!.total, store.hash(A)!.direct], [1, 1]);
      assert.deepEqual(store.history(A)[0], { date: '2024-03-01', downloads: 2, downloadsBitTorrent: 1, downloadsDirect: 1 });
      assert.equal(store.recordDirect(B, DAY1), false, 'no room for one more unknown hash');
    } finally {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
