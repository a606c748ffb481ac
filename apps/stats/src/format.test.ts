import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatCount, formatLongDate, lastDays, utcDay } from './format.js';
import { etagMatches } from './etag.js';

describe('format', () => {
  const bytes: [number, string][] = [
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1 KiB'],
    [1536, '1.5 KiB'],
    [3_000_000, '2.86 MiB'],
    [150 * 1024 ** 3, '150 GiB'],
    [-1, '?'],
    [Number.NaN, '?'],
  ];
  for (const [n, s] of bytes) test(`formatBytes(${n})`, () => assert.equal(formatBytes(n), s));
  test('formatCount', () => assert.equal(formatCount(9839566), '9,839,566'));
  test('formatLongDate is UTC', () => {
    assert.equal(formatLongDate('2010-12-01T23:30:00Z'), 'December 1, 2010');
    assert.equal(formatLongDate('nonsense'), '');
  });
  test('utcDay and lastDays cross month ends', () => {
    const t = Date.parse('2024-03-01T00:30:00Z');
    assert.equal(utcDay(t), '2024-03-01');
    assert.deepEqual(lastDays(t, 3), ['2024-02-28', '2024-02-29', '2024-03-01']);
  });
});

describe('etagMatches', () => {
  const tag = 'W/"abc-1"';
  const rows: [string | undefined, boolean][] = [
    [undefined, false],
    ['W/"abc-1"', true],
    ['"abc-1"', true],
    ['"x", W/"abc-1"', true],
    ['*', true],
    ['W/"abc-2"', false],
    ['', false],
  ];
  for (const [h, want] of rows) test(`If-None-Match ${JSON.stringify(h)}`, () => assert.equal(etagMatches(h, tag), want));
});
