import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { FIXTURE_HASH, manifestEntry } from '../../../libs/common/src/manifest-fixtures.js';
import { parseManifest } from './manifest-parse.js';

const H = FIXTURE_HASH;
/** The shared valid entry, with the torrent file name the page test expects. */
const entry = (over: Record<string, unknown> = {}) => manifestEntry({ torrent: 'app.bin.torrent', ...over });

describe('parseManifest', () => {
  test('a good entry', () => {
    const r = parseManifest({ version: 1, releases: [entry()] });
    assert.deepEqual(r.problems, []);
    assert.equal(r.releases[0]!.filePath, 'app.bin');
    assert.equal(r.releases[0]!.torrentFile, 'app.bin.torrent');
  });

  for (const bad of [null, [], { version: 2, releases: [] }, { version: 1 }, 'x']) {
    test(`throws on top level ${JSON.stringify(bad)}`, () => assert.throws(() => parseManifest(bad)));
  }

  const rows: [string, Record<string, unknown>, RegExp][] = [
    ['short hash', { infoHash: 'abc' }, /infoHash/],
    ['size negative', { size: -1 }, /size/],
    ['size string', { size: '10' }, /size/],
    ['no name', { name: '' }, /name/],
    ['bad date', { publishedAt: 'yesterday' }, /publishedAt/],
    ['bad removedAt', { removedAt: 5 }, /removedAt/],
  ];
  for (const [name, over, msg] of rows) {
    test(`skips entry with ${name}`, () => {
      const r = parseManifest({ version: 1, releases: [entry(over), entry({ infoHash: 'cd'.repeat(20) })] });
      assert.equal(r.releases.length, 1);
      assert.match(r.problems[0]!, msg);
    });
  }

  test('hostile links are dropped, multi-file releases get no direct link, uppercase hash lowercased', () => {
    const r = parseManifest({
      version: 1,
      releases: [entry({ magnet: 'javascript:alert(1)', torrent: '../x.torrent', sha256: null, infoHash: H.toUpperCase() })],
    });
    const c = r.releases[0]!;
    assert.equal(c.magnet, null);
    assert.equal(c.torrentFile, null);
    assert.equal(c.filePath, null);
    assert.equal(c.infoHash, H);
  });

  test('the same hash twice: the live entry wins', () => {
    const r = parseManifest({
      version: 1,
      releases: [entry({ name: 'old', removedAt: '2024-02-01T00:00:00Z' }), entry({ name: 'new', publishedAt: '2024-03-01T00:00:00Z' })],
    });
    assert.deepEqual(
      r.releases.map((x) => x.name),
      ['new'],
    );
  });
});
