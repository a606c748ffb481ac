import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort } from '../helpers/free-port.js';
import { announceText } from '../helpers/announce.js';
import { apiReleases, makeFixture, rowCount, startStatsFor } from '../helpers/stats-fixture.js';
import { commandPath } from '../helpers/command-path.js';
import { completeWithClient } from '../helpers/client-events.js';
import { startOpentracker } from '../helpers/opentracker-process.js';

const bin = commandPath('opentracker');
const NEEDS_OPENTRACKER = {
  skip: bin === null && process.env['CI'] !== 'true' ? 'opentracker is not installed (apt-get install opentracker)' : false,
  timeout: 90_000,
};

/** A fixture whose torrents announce to a Debian opentracker on a free port, and the page reading its counters. */
async function pageOnOpentracker(opentracker: string) {
  const port = await freePort();
  const announceUrl = `http://127.0.0.1:${port}/announce`;
  const f = await makeFixture(announceUrl);
  const tracker = await startOpentracker(opentracker, port, f.whitelistPath, f.releases[0]!.infoHash);
  const stats = await startStatsFor(f, `http://127.0.0.1:${port}/stats?mode=tpbs&format=txtp`);
  return { port, announceUrl, f, tracker, stats };
}

test('Debian opentracker: completions reach page and API; a tracker restart does not lower the total', NEEDS_OPENTRACKER, async () => {
  assert.ok(bin, 'opentracker must be installed in CI');
  const { port, announceUrl, f, stats, ...started } = await pageOnOpentracker(bin);
  let { tracker } = started;
  const [app, other] = f.releases;
  try {
    // Three completions of app-1.0: one from bittorrent-tracker's Client, two plain HTTP announces.
    await completeWithClient(announceUrl, app!.infoHash, 40001);
    for (const p of [40002, 40003]) {
      const body = await announceText(tracker.base, app!.infoHash, { peer: `p${p}`, port: p, left: 0, event: 'completed' });
      assert.match(body, /downloaded/, body);
    }
    await announceText(tracker.base, other!.infoHash, { peer: 'o1', port: 40010, left: 0, event: 'completed' });
    await stats.pollNow();

    let rel = await apiReleases(stats.port);
    const a = rel.find((r) => r.infoHash === app!.infoHash)!;
    assert.equal(a.downloads, 3);
    assert.equal(a.seeders, 3);
    assert.equal(rel.find((r) => r.infoHash === other!.infoHash)!.downloads, 1);
    let page = await (await fetch(`http://127.0.0.1:${stats.port}/`)).text();
    assert.equal(rowCount(page, app!.infoHash), '3');
    assert.match(page, /<strong>4<\/strong> downloads since/);
    assert.doesNotMatch(page, /id="poll-warning"/);

    // Tracker down: the page keeps the numbers and says the poll failed.
    await tracker.stop();
    await stats.pollNow();
    page = await (await fetch(`http://127.0.0.1:${stats.port}/`)).text();
    assert.equal(rowCount(page, app!.infoHash), '3');
    assert.match(page, /id="poll-warning"/);
    assert.match(page, /id="last-updated">Last updated <time/);

    // Restarted opentracker has forgotten every count; one new completion must add 1, not replace 3 by 1.
    tracker = await startOpentracker(bin, port, f.whitelistPath, app!.infoHash);
    await announceText(tracker.base, app!.infoHash, { peer: 'after', port: 40004, left: 0, event: 'completed' });
    await stats.pollNow();
    rel = await apiReleases(stats.port);
    assert.equal(rel.find((r) => r.infoHash === app!.infoHash)!.downloads, 4);
    page = await (await fetch(`http://127.0.0.1:${stats.port}/`)).text();
    assert.equal(rowCount(page, app!.infoHash), '4');
    assert.match(page, /<strong>5<\/strong> downloads since/);
    assert.doesNotMatch(page, /id="poll-warning"/);

    const detail = (await (await fetch(`http://127.0.0.1:${stats.port}/api/releases/${app!.infoHash.toUpperCase()}`)).json()) as {
      downloads: number;
      history: { downloads: number }[];
    };
    assert.equal(detail.downloads, 4);
    assert.equal(
      detail.history.reduce((s, h) => s + h.downloads, 0),
      4,
    );
  } finally {
    await stats.close();
    await tracker.stop();
    f.cleanup();
  }
});

test(
  'Debian opentracker restarted between downloads: 5 real downloads show 5 (restart seen through its uptime)',
  NEEDS_OPENTRACKER,
  async () => {
    assert.ok(bin, 'opentracker must be installed in CI');
    const { port, f, stats, ...started } = await pageOnOpentracker(bin);
    let { tracker } = started;
    const app = f.releases[0]!;
    const total = async (): Promise<number> => (await apiReleases(stats.port)).find((r) => r.infoHash === app.infoHash)!.downloads;
    try {
      for (const p of [41001, 41002])
        await announceText(tracker.base, app.infoHash, { peer: `a${p}`, port: p, left: 0, event: 'completed' });
      await stats.pollNow();
      assert.equal(await total(), 2);
      // Restarted (in another second than its start: opentracker seeds its tracker_id with the start second);
      // its counter climbs past the old value (3 > 2) before the next poll. From the counter alone that looks
      // like one more download; the new tracker_id says otherwise.
      for (;;) {
        const up = Number(/\n(\d+) seconds/.exec(await (await fetch(`${tracker.base}/stats?mode=completed`)).text())?.[1] ?? 0);
        if (up >= 1) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await tracker.stop();
      tracker = await startOpentracker(bin, port, f.whitelistPath, app.infoHash);
      for (const p of [41003, 41004, 41005])
        await announceText(tracker.base, app.infoHash, { peer: `b${p}`, port: p, left: 0, event: 'completed' });
      await stats.pollNow();
      assert.equal(await total(), 5);
      await stats.pollNow();
      assert.equal(await total(), 5, 'no double count on the next poll');
      const h = (await (await fetch(`http://127.0.0.1:${stats.port}/healthz`)).json()) as { counts: { mode: string } };
      assert.equal(h.counts.mode, 'counters', 'opentracker has no feed: auto falls back to its counters');
    } finally {
      await stats.close();
      await tracker.stop();
      f.cleanup();
    }
  },
);
