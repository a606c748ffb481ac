import fc from 'fast-check';

/**
 * Manifest entries for the tests of every manifest reader (the shared one and the page's): one valid entry as
 * plain JSON, and the fast-check model of an entry as the publisher writes it. Test support only: no app imports it.
 */

export const FIXTURE_HASH = 'ab'.repeat(20);

/** A valid entry for FIXTURE_HASH, with the fields in `over` replaced (or added, or set to undefined). */
export function manifestEntry(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'app.bin',
    path: 'app.bin',
    size: 10,
    infoHash: FIXTURE_HASH,
    magnet: `magnet:?xt=urn:btih:${FIXTURE_HASH}`,
    pieceLength: 16384,
    publishedAt: '2024-01-01T00:00:00.000Z',
    sha256: '00',
    torrent: 'app.bin.abababab.torrent',
    removedAt: null,
    ...over,
  };
}

/** A timestamp as the publisher writes one (toISOString), between 1970 and 2096. */
export const isoDateArb = fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(4e12) }).map((d) => d.toISOString());

/**
 * The fc.record model of an entry: any text in names, lowercase hex info_hash; the three fields a test wants
 * to fix or vary are given (field order matters to what a seeded run generates).
 */
export function manifestReleaseModel<P, S, R>(
  varying: Readonly<{ publishedAt: fc.Arbitrary<P>; sha256: fc.Arbitrary<S>; removedAt: fc.Arbitrary<R> }>,
) {
  return {
    name: fc.string({ minLength: 1 }),
    path: fc.string({ minLength: 1 }),
    size: fc.nat(),
    infoHash: fc.stringMatching(/^[0-9a-f]{40}$/),
    magnet: fc.string(),
    pieceLength: fc.nat(),
    publishedAt: varying.publishedAt,
    sha256: varying.sha256,
    torrent: fc.string(),
    removedAt: varying.removedAt,
  };
}
