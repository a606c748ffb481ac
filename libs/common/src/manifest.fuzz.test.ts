import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ManifestError, parseManifestText, readManifestJson, renderManifest } from './manifest.js';
import { manifestReleaseModel } from './manifest-fixtures.js';

/**
 * Property-based fuzzing of the manifest reader (seeded): 40k generated and mutated inputs. The only error that may
 * escape is ManifestError (a wrong top level); entries are either read or reported, never both, never lost.
 */
function readOrManifestError(read: () => ReturnType<typeof readManifestJson>): ReturnType<typeof readManifestJson> | null {
  try {
    return read();
  } catch (err) {
    assert.ok(err instanceof ManifestError, `only ManifestError escapes, got ${String(err)}`);
    return null;
  }
}

const FIELDS = [
  'name',
  'path',
  'size',
  'infoHash',
  'magnet',
  'pieceLength',
  'publishedAt',
  'sha256',
  'torrent',
  'removedAt',
  'fingerprint',
  '__proto__',
  'constructor',
];
const fieldValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.stringMatching(/^[0-9a-fA-F]{40}$/),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(-1, 1.5, 2 ** 53, Number.NaN, null, '', '1970-01-01T00:00:00Z'),
);
const entryLike = fc.dictionary(fc.constantFrom(...FIELDS), fieldValue, { maxKeys: 13 });

const validEntry = fc.record(
  manifestReleaseModel({ publishedAt: fc.constant('2026-01-01T00:00:00.000Z'), sha256: fc.constant(null), removedAt: fc.constant(null) }),
);

describe('manifest fuzz', () => {
  test('readManifestJson: 15k arbitrary values, only ManifestError escapes', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 3 }), (v) => {
        readOrManifestError(() => readManifestJson(v));
        readOrManifestError(() => readManifestJson({ version: 1, releases: Array.isArray(v) ? v : [v] }));
      }),
      { seed: 42, numRuns: 15_000 },
    );
  });

  test('readManifestJson: 10k manifests of entry-shaped objects, every entry read or reported', () => {
    fc.assert(
      fc.property(fc.array(entryLike, { maxLength: 10 }), (entries) => {
        const r = readManifestJson({ version: 1, releases: entries });
        assert.equal(r.manifest.releases.length + r.problems.length, entries.length);
        for (const e of r.manifest.releases) assert.match(e.infoHash, /^[0-9a-f]{40}$/);
      }),
      { seed: 42, numRuns: 10_000 },
    );
  });

  test('parseManifestText: 15k mutated manifest files, only ManifestError escapes, bounded output', () => {
    const mutatedText = fc
      .tuple(
        fc.array(validEntry, { maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 2 }), fc.string({ maxLength: 4 })), { minLength: 1, maxLength: 4 }),
      )
      .map(([releases, edits]) => {
        let text = renderManifest({ version: 1, releases });
        for (const [at, kind, s] of edits) {
          const i = at % (text.length + 1);
          if (kind === 0) text = text.slice(0, i) + s + text.slice(i);
          else if (kind === 1) text = text.slice(0, i) + text.slice(i + 1);
          else text = text.slice(0, i);
        }
        return text;
      });
    fc.assert(
      fc.property(mutatedText, (text) => {
        const r = readOrManifestError(() => parseManifestText(text));
        if (r) assert.ok(r.manifest.releases.length + r.problems.length <= text.length);
      }),
      { seed: 42, numRuns: 15_000 },
    );
  });
});
