import { test } from 'node:test';
import assert from 'node:assert/strict';
import { entriesAfter, feedFromNewest, parseFeedEntry, type FeedEntry } from './redis-feed.js';

const H = 'ab'.repeat(20);

test('redis feed: only entries the submit script writes are read', () => {
  assert.deepEqual(parseFeedEntry(['7-0', ['t', '1000', 'h', H]]), [7, 1000, H]);
  assert.deepEqual(parseFeedEntry(['7-0', ['h', H, 't', '1000', 'x', 'y']]), [7, 1000, H]);
  assert.equal(parseFeedEntry(['7-0', ['t', '1000', 'h', H.toUpperCase()]]), null);
  assert.equal(parseFeedEntry(['7-0', ['t', 'soon', 'h', H]]), null);
  assert.equal(parseFeedEntry(['x-0', ['t', '1000', 'h', H]]), null);
  assert.equal(parseFeedEntry(['7-0', ['t', '1000', 'h']]), null);
  assert.deepEqual(
    feedFromNewest([
      ['9-0', ['t', '2', 'h', H]],
      ['8-0', ['t', '1']],
      ['7-0', ['t', '1', 'h', H]],
    ]),
    [
      [7, 1, H],
      [9, 2, H],
    ],
  );
});

test('redis feed: entries after a seq, at most a limit, from an ascending feed', () => {
  const feed: FeedEntry[] = [3, 4, 7, 8, 12].map((s) => [s, s * 10, H]);
  assert.deepEqual(
    entriesAfter(feed, 0, 10).map((e) => e[0]),
    [3, 4, 7, 8, 12],
  );
  assert.deepEqual(
    entriesAfter(feed, 4, 10).map((e) => e[0]),
    [7, 8, 12],
  );
  assert.deepEqual(
    entriesAfter(feed, 5, 2).map((e) => e[0]),
    [7, 8],
  );
  assert.deepEqual(entriesAfter(feed, 12, 10), []);
  assert.deepEqual(entriesAfter([], 0, 10), []);
});
