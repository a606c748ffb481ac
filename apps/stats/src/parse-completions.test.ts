import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { feedUrl, parseCompletionFeed } from './parse-completions.js';
import { parseCompletedMode, parseEverythingMode } from './parse-mrtg.js';

const H = 'ab'.repeat(20);
const T = 1_764_547_200_123;

describe('parseCompletionFeed', () => {
  test('the contract example', () => {
    const r = parseCompletionFeed(
      JSON.stringify({
        journal: '3f9c0d5e7a1b2c4d',
        first: 1,
        last: 3,
        entries: [
          [2, T, H],
          [3, T + 1, H],
        ],
      }),
      1,
    );
    assert.ok(r.ok);
    assert.deepEqual(
      r.batch.entries.map((e) => e.seq),
      [2, 3],
    );
    assert.equal(r.batch.journal, '3f9c0d5e7a1b2c4d');
  });
  const bad: [string, unknown, number][] = [
    ['not an object', [1, 2], 0],
    ['uppercase journal', { journal: 'ABC', first: 1, last: 0, entries: [] }, 0],
    [
      'hole between entries',
      {
        journal: 'a',
        first: 1,
        last: 3,
        entries: [
          [1, T, H],
          [3, T, H],
        ],
      },
      0,
    ],
    ['seq at or below since', { journal: 'a', first: 1, last: 3, entries: [[2, T, H]] }, 2],
    ['seq after last', { journal: 'a', first: 1, last: 1, entries: [[2, T, H]] }, 1],
    ['uppercase hash', { journal: 'a', first: 1, last: 1, entries: [[1, T, H.toUpperCase()]] }, 0],
    ['time in seconds', { journal: 'a', first: 1, last: 1, entries: [[1, 1_700_000_000, H]] }, 0],
    ['first after last + 1', { journal: 'a', first: 5, last: 2, entries: [] }, 0],
    ['fractional seq', { journal: 'a', first: 1, last: 2, entries: [[1.5, T, H]] }, 0],
  ];
  for (const [name, json, since] of bad) {
    test(`rejects: ${name}`, () => {
      assert.equal(parseCompletionFeed(JSON.stringify(json), since).ok, false);
    });
  }
  test('not JSON is an error, not a throw', () => {
    assert.equal(parseCompletionFeed('<title>Invalid Request</title>', 0).ok, false);
  });
  test('feed URL keeps host, path and port of the stats URL', () => {
    assert.equal(
      feedUrl('http://127.0.0.1:6969/s3cret?mode=tpbs&format=txtp', 12, 1000),
      'http://127.0.0.1:6969/s3cret?mode=completions&since=12&limit=1000',
    );
  });
});

describe('parseCompletedMode', () => {
  test("opentracker's reply", () => {
    assert.deepEqual(parseCompletedMode('7\n0\n3723 seconds (1 hours)\nopentracker, 7 completed/h.'), {
      completedSinceStart: 7,
      uptimeSeconds: 3723,
    });
    assert.equal(parseCompletedMode('<html>'), null);
  });
  test("opentracker's mode=everything: id, uptime, completed", () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<stats>\n  <tracker_id>275725774</tracker_id>\n  <version>\n$Source$: $Revision$\n  </version>\n  <uptime>23</uptime>\n' +
      '  <torrents>\n    <count_mutex>3</count_mutex>\n  </torrents>\n  <completed>\n    <count>2</count>\n  </completed>\n</stats>';
    assert.deepEqual(parseEverythingMode(xml), { uptimeSeconds: 23, completedSinceStart: 2, trackerId: '275725774' });
    assert.equal(parseEverythingMode(xml.replace('275725774', '0'))!.trackerId, null);
    assert.equal(parseEverythingMode('nope'), null);
  });
});
