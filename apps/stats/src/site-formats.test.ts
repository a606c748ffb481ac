import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { badgeLabel, renderBadge, shortCount } from './badge.js';
import { renderAtomFeed, xmlText } from './feed.js';
import { chartDays, type ReleaseView } from './release-view.js';
import { sha256sumLine, sha256sums } from './sums.js';
import { torrentFileList } from './torrent-files.js';
import { encodeTorrent } from '../../../libs/torrent/src/metainfo.js';

const SHA = 'ab'.repeat(32);

function view(over: Partial<ReleaseView>): ReleaseView {
  return {
    infoHash: '1'.repeat(40),
    name: 'a.bin',
    known: true,
    size: 10,
    publishedAt: '2024-05-01T00:00:00.000Z',
    removedAt: null,
    downloads: 3,
    downloadsBitTorrent: 3,
    downloadsDirect: 0,
    seeders: 0,
    leechers: 0,
    firstSeen: null,
    torrentPath: '/torrents/a.torrent',
    magnet: 'magnet:?xt=urn:btih:1111&tr=x',
    filePath: '/files/a.bin',
    sha256: SHA,
    ...over,
  };
}

describe('SHA256SUMS', () => {
  test('GNU format, escaped names, live single files only, names as downloaded', () => {
    assert.equal(sha256sumLine(SHA, 'a b.bin'), `${SHA}  a b.bin\n`);
    assert.equal(sha256sumLine(SHA, 'a\\b\nc'), `\\${SHA}  a\\\\b\\nc\n`);
    const text = sha256sums([
      view({}),
      view({ infoHash: '2'.repeat(40), filePath: '/files/x%20y%25.bin' }),
      view({ infoHash: '3'.repeat(40), removedAt: '2024-06-01T00:00:00Z' }),
      view({ infoHash: '4'.repeat(40), sha256: null }),
      view({ infoHash: '5'.repeat(40), filePath: null }),
      view({ infoHash: '6'.repeat(40), filePath: '/files/%E0%A4' }),
    ]);
    assert.equal(text, `${SHA}  a.bin\n${SHA}  x y%.bin\n`);
  });
});

describe('Atom feed', () => {
  test('xmlText drops what XML cannot hold and escapes markup', () => {
    assert.equal(xmlText('a<b>&"\'\u0001\ud800z'), 'a&lt;b&gt;&amp;&quot;&#39;\ufffd\ufffdz');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        // eslint-disable-next-line no-control-regex
        assert.doesNotMatch(xmlText(s), /[<>\u0000-\u0008\u000b\u000c\u000e-\u001f]|&(?!(amp|lt|gt|quot|#39);)/);
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  test('newest first, live releases with a .torrent only, absolute links', () => {
    const xml = renderAtomFeed({
      title: 'T & co',
      baseUrl: 'https://dl.example',
      fallbackUpdated: 0,
      releases: [
        view({ name: 'old <1>', publishedAt: '2024-01-01T00:00:00Z' }),
        view({ infoHash: '2'.repeat(40), name: 'new', publishedAt: '2024-02-01T00:00:00Z' }),
        view({ infoHash: '3'.repeat(40), removedAt: '2024-03-01T00:00:00Z' }),
        view({ infoHash: '4'.repeat(40), torrentPath: null }),
      ],
    });
    assert.match(xml, /<title>T &amp; co: releases<\/title>/);
    assert.match(xml, /<updated>2024-02-01T00:00:00.000Z<\/updated>\n<author>/);
    const ids = [...xml.matchAll(/<id>urn:btih:(\w+)<\/id>/g)].map((m) => m[1]![0]);
    assert.deepEqual(ids, ['2', '1']);
    assert.match(
      xml,
      /<link rel="enclosure" type="application\/x-bittorrent" href="https:\/\/dl\.example\/torrents\/a\.torrent" title="old &lt;1&gt;\.torrent"\/>/,
    );
    assert.match(xml, /<link rel="related" href="magnet:\?xt=urn:btih:1111&amp;tr=x" title="magnet link"\/>/);
  });
});

describe('badge', () => {
  test('counts shortened, label from the query checked, markup escaped', () => {
    assert.deepEqual([0, 1234, 99_999, 123_456, 1_234_567, 987_654_321].map(shortCount), ['0', '1,234', '99,999', '123k', '1.2M', '987M']);
    assert.equal(badgeLabel(undefined), 'downloads');
    assert.equal(badgeLabel(['x']), 'downloads');
    assert.equal(badgeLabel('  \u0000 '), 'downloads');
    assert.equal(badgeLabel('x'.repeat(99)).length, 40);
    const svg = renderBadge('a<b', '1,234');
    assert.match(svg, /aria-label="a&lt;b: 1,234"/);
    const w = (s: string): number => Number(/width="(\d+)"/.exec(s)![1]);
    assert.ok(w(renderBadge('downloads', '1,234,567')) > w(renderBadge('downloads', '1')));
  });
});

describe('chartDays', () => {
  const now = Date.parse('2024-06-10T15:00:00Z');
  test('from the day of publication (or first sighting) to today, at most a year', () => {
    assert.equal(chartDays({ publishedAt: '2024-06-10T01:00:00Z', firstSeen: null }, now), 1);
    assert.equal(chartDays({ publishedAt: '2024-06-09T23:59:00Z', firstSeen: null }, now), 2);
    assert.equal(chartDays({ publishedAt: '2024-05-01T00:00:00Z', firstSeen: null }, now), 41);
    assert.equal(chartDays({ publishedAt: null, firstSeen: Date.parse('2024-06-08T00:00:00Z') }, now), 3);
    assert.equal(chartDays({ publishedAt: '2024-06-10T00:00:00Z', firstSeen: Date.parse('2024-06-01T00:00:00Z') }, now), 10);
    assert.equal(chartDays({ publishedAt: '2019-01-01T00:00:00Z', firstSeen: null }, now), 365);
    assert.equal(chartDays({ publishedAt: null, firstSeen: null }, now), 30);
    assert.equal(chartDays({ publishedAt: '2030-01-01T00:00:00Z', firstSeen: null }, now), 1, 'a date in the future');
  });
});

describe('torrentFileList', () => {
  const t = (files: { path: string[]; length: number }[] | null): Uint8Array =>
    encodeTorrent({
      name: 'r',
      files,
      length: files ? files.reduce((s, f) => s + f.length, 0) : 5,
      pieceLength: 16384,
      pieces: new Uint8Array(20),
      announceList: [['http://a/']],
      urlList: [],
      comment: '',
      createdBy: '',
      creationDate: 0,
      private: false,
    });
  test('multi-file lists, single-file null, garbage null', () => {
    assert.deepEqual(
      torrentFileList(
        t([
          { path: ['a'], length: 1 },
          { path: ['d', 'é.txt'], length: 4 },
        ]),
      ),
      [
        { path: ['a'], length: 1 },
        { path: ['d', 'é.txt'], length: 4 },
      ],
    );
    assert.equal(torrentFileList(t(null)), null);
    assert.equal(torrentFileList(Buffer.from('garbage')), null);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        const r = torrentFileList(b);
        assert.ok(r === null || Array.isArray(r));
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});

describe('pages show the BitTorrent / direct split once counted', () => {
  const status = { lastSuccessAt: 0, lastAttemptAt: 0, lastError: null };
  test('release page and site total', async () => {
    const { renderIndexPage, renderReleasePage } = await import('./render-pages.js');
    const withSplit = view({ downloads: 30, downloadsBitTorrent: 10, downloadsDirect: 20 });
    const page = renderReleasePage({ title: 'T', release: withSplit, chart: [], history: [], status });
    assert.match(page, /<span class="bt">10<\/span> over BitTorrent, <span class="direct">20<\/span> direct/);
    assert.doesNotMatch(renderReleasePage({ title: 'T', release: view({}), chart: [], history: [], status }), /over BitTorrent/);
    const home = renderIndexPage({
      title: 'T',
      releases: [withSplit, view({ infoHash: '2'.repeat(40), downloadsBitTorrent: 1, downloadsDirect: 2 })],
      totals: { downloads: 33, since: 0 },
      chart: [],
      status,
    });
    assert.match(home, /<span class="bt">11<\/span> over BitTorrent, <span class="direct">22<\/span> direct/);
  });
});
