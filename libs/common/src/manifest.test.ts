import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  checkManifestEntry,
  ManifestError,
  parseManifestText,
  readManifestJson,
  renderManifest,
  type Manifest,
  type ManifestRelease,
} from './manifest.js';
import { FIXTURE_HASH, isoDateArb, manifestEntry, manifestReleaseModel } from './manifest-fixtures.js';

const H = FIXTURE_HASH;
const entry = (over: Partial<Record<keyof ManifestRelease, unknown>> = {}): Record<string, unknown> => manifestEntry(over);

/** Manifests as the publisher writes them: every field, optional fingerprint, any text in names. */
const arbRelease: fc.Arbitrary<ManifestRelease> = fc
  .record(
    {
      ...manifestReleaseModel({
        publishedAt: isoDateArb,
        sha256: fc.option(fc.stringMatching(/^[0-9a-f]{64}$/), { nil: null }),
        removedAt: fc.option(isoDateArb, { nil: null }),
      }),
      fingerprint: fc.stringMatching(/^[0-9a-f]{40}$/),
    },
    { requiredKeys: ['name', 'path', 'size', 'infoHash', 'magnet', 'pieceLength', 'publishedAt', 'sha256', 'torrent', 'removedAt'] },
  )
  .map((r) => ({ ...r }));
const arbManifest: fc.Arbitrary<Manifest> = fc.array(arbRelease, { maxLength: 8 }).map((releases) => ({ version: 1, releases }));

describe('manifest reader and writer', () => {
  test('round trip: what the writer emits reads back identical, and re-renders byte for byte', () => {
    fc.assert(
      fc.property(arbManifest, (m) => {
        const text = renderManifest(m);
        const read = parseManifestText(text);
        assert.deepEqual(read.problems, []);
        assert.deepEqual(read.manifest, m);
        assert.equal(renderManifest(read.manifest), text);
      }),
      { seed: 42, numRuns: 2000 },
    );
  });

  test('either case is accepted and lowercased; a missing removedAt reads as null; unknown fields are dropped', () => {
    const r = checkManifestEntry({ ...entry({ infoHash: H.toUpperCase() }), removedAt: undefined, extra: 1 });
    assert.equal(typeof r, 'object');
    assert.equal((r as ManifestRelease).infoHash, H);
    assert.equal((r as ManifestRelease).removedAt, null);
    assert.equal('extra' in (r as object), false);
  });

  const rows: Array<[string, Record<string, unknown>, RegExp]> = [
    ['short hash', { infoHash: 'abc' }, /infoHash/],
    ['size negative', { size: -1 }, /size/],
    ['size fractional', { size: 1.5 }, /size/],
    ['no name', { name: '' }, /name/],
    ['no path', { path: 3 }, /path/],
    ['bad date', { publishedAt: 'yesterday' }, /publishedAt/],
    ['bad removedAt', { removedAt: 5 }, /removedAt/],
    ['no torrent', { torrent: null }, /torrent/],
    ['no magnet', { magnet: 1 }, /magnet/],
    ['bad pieceLength', { pieceLength: '16384' }, /pieceLength/],
    ['bad sha256', { sha256: 7 }, /sha256/],
    ['bad fingerprint', { fingerprint: 7 }, /fingerprint/],
  ];
  for (const [name, over, re] of rows) {
    test(`skips entry with ${name}, keeps the others`, () => {
      const r = readManifestJson({ version: 1, releases: [entry(over), entry({ infoHash: 'cd'.repeat(20) })] });
      assert.equal(r.manifest.releases.length, 1);
      assert.match(r.problems[0] ?? '', new RegExp(`^releases\\[0\\]: ${re.source}`));
    });
  }

  for (const bad of ['', '{', 'null', '[]', '{"version":2,"releases":[]}', '{"version":1}', '"x"']) {
    test(`throws ManifestError on ${JSON.stringify(bad)}`, () => assert.throws(() => parseManifestText(bad), ManifestError));
  }
});
