import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { listHref, listPage, parseListQuery } from './list-query.js';
import type { ReleaseView } from './release-view.js';

function view(i: number, over: Partial<ReleaseView> = {}): ReleaseView {
  return {
    infoHash: createHash('sha1').update(String(i)).digest('hex'),
    name: `rel-${i}.bin`,
    known: true,
    size: i * 10,
    publishedAt: new Date(Date.UTC(2024, 0, 1 + i)).toISOString(),
    removedAt: null,
    downloads: (i * 7) % 5,
    downloadsBitTorrent: (i * 7) % 5,
    downloadsDirect: 0,
    seeders: 0,
    leechers: 0,
    firstSeen: null,
    torrentPath: null,
    magnet: 'magnet:?',
    filePath: null,
    ...over,
  };
}

describe('list query', () => {
  test('defaults, valid values, and junk falling back', () => {
    assert.deepEqual(parseListQuery({}), { q: '', sort: 'date', order: 'desc', page: 1 });
    assert.deepEqual(parseListQuery({ q: '  App\n ', sort: 'name', page: '3' }), { q: 'App', sort: 'name', order: 'asc', page: 3 });
    assert.deepEqual(parseListQuery({ sort: 'size', order: 'asc' }), { q: '', sort: 'size', order: 'asc', page: 1 });
    assert.deepEqual(parseListQuery({ sort: 'x', order: 'y', page: '-1', q: ['a', 'b'] }), {
      q: 'a',
      sort: 'date',
      order: 'desc',
      page: 1,
    });
    assert.equal(parseListQuery({ q: 'x'.repeat(1000) }).q.length, 200);
    assert.equal(parseListQuery({ page: '99999999999' }).page, 1);
  });

  test('property: any query object parses to valid values and round-trips through its link', () => {
    const val = fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 2 }), fc.constant(undefined), fc.object());
    fc.assert(
      fc.property(fc.record({ q: val, sort: val, order: val, page: val }), (raw) => {
        const q = parseListQuery(raw as Record<string, unknown>);
        assert.ok(['date', 'name', 'downloads', 'size'].includes(q.sort) && ['asc', 'desc'].includes(q.order) && q.page >= 1);
        const href = listHref(q);
        const back = parseListQuery(Object.fromEntries(new URL(href, 'http://x').searchParams));
        assert.deepEqual(back, q);
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  test('search by name (any case) or hash prefix; sort; stable pages', () => {
    const all = Array.from({ length: 120 }, (_, i) => view(i));
    const p1 = listPage(all, parseListQuery({}));
    assert.deepEqual([p1.total, p1.pages, p1.rows.length, p1.rows[0]!.name], [120, 3, 50, 'rel-119.bin']);
    const p3 = listPage(all, parseListQuery({ page: '3' }));
    assert.deepEqual([p3.rows.length, p3.rows[19]!.name], [20, 'rel-0.bin']);
    assert.equal(listPage(all, parseListQuery({ page: '50' })).page, 3);
    assert.deepEqual(
      listPage(all, parseListQuery({ q: 'REL-11' }))
        .rows.map((r) => r.name)
        .slice(0, 2),
      ['rel-119.bin', 'rel-118.bin'],
    );
    assert.equal(listPage(all, parseListQuery({ q: all[5]!.infoHash.slice(0, 6) })).rows[0]!.name, 'rel-5.bin');
    assert.deepEqual(
      listPage(all, parseListQuery({ sort: 'name' }))
        .rows.slice(0, 3)
        .map((r) => r.name),
      ['rel-0.bin', 'rel-1.bin', 'rel-2.bin'],
    );
    assert.equal(listPage(all, parseListQuery({ sort: 'size' })).rows[0]!.name, 'rel-119.bin');
    const byDl = listPage(all, parseListQuery({ sort: 'downloads' })).rows;
    assert.ok(byDl.every((r, i) => i === 0 || byDl[i - 1]!.downloads >= r.downloads));
  });

  test('links keep only what differs from the defaults', () => {
    assert.equal(listHref(parseListQuery({})), '/');
    assert.equal(
      listHref(parseListQuery({ q: 'a b&c', sort: 'name', order: 'desc', page: '2' })),
      '/?q=a+b%26c&sort=name&order=desc&page=2',
    );
  });
});
