import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { apiReleases, makeFixture, startStatsFor, startStatsRig } from '../helpers/stats-fixture.js';
import { FakeFeedTracker } from '../helpers/fake-tracker-feed.js';

const DAY1 = Date.parse('2024-06-01T10:00:00Z');
const DAY2 = Date.parse('2024-06-02T10:00:00Z');

async function downloadsOf(port: number, hash: string): Promise<number> {
  return (await apiReleases(port)).find((r) => r.infoHash === hash)?.downloads ?? 0;
}

async function health(
  port: number,
): Promise<{ counts: { mode: string; feed: { journal: string; cursor: number } | null; gaps: { fromSeq: number; toSeq: number }[] } }> {
  return (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as never;
}

test("feed: every entry counted once over several pages, per day from the entries' times, nothing twice on re-poll or page restart", async () => {
  const f = await makeFixture('http://127.0.0.1:1/announce');
  const t = await FakeFeedTracker.started();
  const [a, b] = [f.releases[0]!.infoHash, f.releases[1]!.infoHash];
  t.complete(a, DAY1, 1500);
  t.complete(b, DAY2, 1000);
  t.complete(a, DAY2, 2);
  let stats = await startStatsFor(f, t.url);
  try {
    await stats.pollNow();
    assert.equal(await downloadsOf(stats.port, a), 1502);
    assert.equal(await downloadsOf(stats.port, b), 1000);
    assert.ok(t.requests.filter((q) => q.includes('completions')).length >= 3, 'read in pages of 1000');
    const d = (await (await fetch(`http://127.0.0.1:${stats.port}/api/releases/${a}`)).json()) as {
      history: { date: string; downloads: number }[];
    };
    assert.deepEqual(
      d.history.map((h) => [h.date, h.downloads]),
      [
        ['2024-06-01', 1500],
        ['2024-06-02', 2],
      ],
    );
    assert.equal((await health(stats.port)).counts.mode, 'feed');
    await stats.pollNow();
    assert.equal(await downloadsOf(stats.port, a), 1502);
    await stats.close();
    t.complete(a, Date.now(), 3);
    stats = await startStatsFor(f, t.url);
    await stats.pollNow();
    assert.equal(await downloadsOf(stats.port, a), 1505);
    // The tracker's counter dropping (an old state restored) changes nothing: counts come from the feed.
    t.counters.set(a, 2);
    await stats.pollNow();
    assert.equal(await downloadsOf(stats.port, a), 1505);
  } finally {
    await stats.close();
    await t.close();
    f.cleanup();
  }
});

test('feed: a new journal restarts the cursor at 0; lost entries are recorded and made up from the counters', async () => {
  const f = await makeFixture('http://127.0.0.1:1/announce');
  const t = await FakeFeedTracker.started();
  const a = f.releases[0]!.infoHash;
  const rig = await startStatsRig(f, t);
  const { stats } = rig;
  try {
    t.complete(a, Date.now(), 10);
    await stats.pollNow();
    assert.equal(await downloadsOf(stats.port, a), 10);
    // 5 more, then compacted away before the page read them: the counters (15) still know.
    t.complete(a, Date.now(), 5);
    t.compact(15);
    t.complete(a, Date.now(), 1);
    await stats.pollNow();
    assert.equal(await downloadsOf(stats.port, a), 16);
    let h = await health(stats.port);
    assert.equal(h.counts.gaps.length, 1);
    assert.deepEqual([h.counts.gaps[0]!.fromSeq, h.counts.gaps[0]!.toSeq], [11, 15]);
    assert.deepEqual(h.counts.feed, { journal: 'a1', cursor: 16 });
    // State lost: new journal from seq 1, counters from 0. Totals never go down; new entries count.
    t.newJournal('b2');
    t.complete(a, Date.now(), 2);
    await stats.pollNow();
    assert.equal(await downloadsOf(stats.port, a), 18);
    h = await health(stats.port);
    assert.deepEqual(h.counts.feed, { journal: 'b2', cursor: 2 });
    // A feed error (tracker present, feed broken) counts nothing and keeps the cursor.
    t.feedStatus = 500;
    t.complete(a, Date.now(), 1);
    await stats.pollNow();
    assert.equal(await downloadsOf(stats.port, a), 18);
    t.feedStatus = 200;
    await stats.pollNow();
    assert.equal(await downloadsOf(stats.port, a), 19);
  } finally {
    await rig.close();
  }
});

test('migration: a schema-1 database keeps its counter-derived totals; feed entries before its last poll are not added again', async () => {
  const f = await makeFixture('http://127.0.0.1:1/announce');
  const t = await FakeFeedTracker.started();
  const a = f.releases[0]!.infoHash;
  const lastPoll = Date.now() - 60_000;
  // What the old page left: 7 downloads of a counted from counters, last poll a minute ago.
  (await import('node:fs')).mkdirSync((await import('node:path')).dirname(f.dbPath), { recursive: true });
  const db = new Database(f.dbPath);
  db.exec(`CREATE TABLE hashes (info_hash TEXT PRIMARY KEY, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, last_raw INTEGER NOT NULL,
      total INTEGER NOT NULL, seeders INTEGER NOT NULL, leechers INTEGER NOT NULL) STRICT;
    CREATE TABLE samples (info_hash TEXT NOT NULL, at INTEGER NOT NULL, seeders INTEGER NOT NULL, leechers INTEGER NOT NULL,
      downloaded INTEGER NOT NULL, PRIMARY KEY (info_hash, at)) STRICT, WITHOUT ROWID;
    CREATE TABLE daily (info_hash TEXT NOT NULL, day TEXT NOT NULL, downloads INTEGER NOT NULL, PRIMARY KEY (info_hash, day)) STRICT, WITHOUT ROWID;
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;`);
  db.prepare('INSERT INTO hashes VALUES (?, ?, ?, 7, 7, 0, 0)').run(a, lastPoll - 1000, lastPoll);
  db.prepare('INSERT INTO daily VALUES (?, ?, 7)').run(a, '2024-06-01');
  db.prepare("INSERT INTO meta VALUES ('last_success_at', ?)").run(String(lastPoll));
  db.pragma('user_version = 1');
  db.close();
  // The journal holds the 7 old ones (before the last poll) and 2 new ones.
  t.complete(a, lastPoll - 5000, 7);
  t.complete(a, Date.now() - 1000, 2);
  const rig = await startStatsRig(f, t);
  try {
    await rig.stats.pollNow();
    assert.equal(await downloadsOf(rig.stats.port, a), 9);
  } finally {
    await rig.close();
  }
});
