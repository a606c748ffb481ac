import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { addressGroup, DirectDownloadLimiter, isWholeFileRequest } from './direct-downloads.js';
import { PublishedFiles } from './published-files.js';
import type { CatalogRelease } from './manifest-parse.js';

const H = 'a'.repeat(40);
const G = 'b'.repeat(40);

describe('direct downloads', () => {
  test('whole-file requests: no Range or the open bytes=0-; closed ranges (web seeds know the size), pieces and HEAD are not', () => {
    assert.equal(isWholeFileRequest('GET', undefined), true);
    assert.equal(isWholeFileRequest('GET', 'bytes=0-'), true);
    assert.equal(isWholeFileRequest('GET', 'bytes=0-99'), false);
    assert.equal(isWholeFileRequest('GET', 'bytes=1-'), false);
    assert.equal(isWholeFileRequest('GET', 'bytes=0-10,11-99'), false);
    assert.equal(isWholeFileRequest('GET', 'bytes=-100'), false);
    assert.equal(isWholeFileRequest('HEAD', undefined), false);
  });

  test('address groups: IPv4 address, IPv4-mapped as IPv4, IPv6 by /64', () => {
    assert.equal(addressGroup('192.0.2.1'), addressGroup('::ffff:192.0.2.1'));
    assert.equal(addressGroup('2001:db8:1:2::1'), addressGroup('2001:db8:1:2:ffff::9'));
    assert.notEqual(addressGroup('2001:db8:1:2::1'), addressGroup('2001:db8:1:3::1'));
  });

  test('limit per address per release per window; other releases and addresses count', () => {
    const l = new DirectDownloadLimiter({ perAddress: 3, windowMs: 1000, maxTracked: 100 });
    const admitted = Array.from({ length: 100 }, () => l.admit('10.0.0.1', H, 0)).filter(Boolean).length;
    assert.equal(admitted, 3);
    assert.equal(l.admit('10.0.0.1', G, 0), true);
    assert.equal(l.admit('10.0.0.2', H, 0), true);
    assert.equal(l.admit('10.0.0.1', H, 999), false);
    assert.equal(l.admit('10.0.0.1', H, 1000), true, 'a new window');
  });

  test('memory is capped; a flood of addresses cannot reset an address that is already limited', () => {
    const l = new DirectDownloadLimiter({ perAddress: 1, windowMs: 1000, maxTracked: 50 });
    assert.equal(l.admit('10.0.0.1', H, 0), true);
    for (let i = 0; i < 10_000; i++) l.admit(`172.16.${i >> 8}.${i & 255}`, H, 10);
    assert.ok(l.size <= 50);
    assert.equal(l.admit('10.0.0.1', H, 20), false);
    // After the window, expired slots make room again.
    assert.equal(l.admit('10.9.9.9', H, 2000), true);
  });
});

describe('PublishedFiles', () => {
  const rel = (over: Partial<CatalogRelease>): CatalogRelease => ({
    infoHash: H,
    name: 'x',
    size: 1,
    publishedAt: null,
    removedAt: null,
    torrentFile: null,
    magnet: null,
    filePath: null,
    dirPath: null,
    sha256: null,
    source: 'manifest',
    ...over,
  });
  const p = new PublishedFiles([
    rel({ infoHash: H, filePath: 'app.bin' }),
    rel({ infoHash: G, dirPath: 'suite-2.0' }),
    rel({ infoHash: 'c'.repeat(40), filePath: 'old.bin', removedAt: '2024-01-01T00:00:00Z' }),
  ]);
  test('live single files and files inside live folder releases only', () => {
    assert.deepEqual(p.lookup(['app.bin']), { infoHash: H, wholeRelease: true });
    assert.deepEqual(p.lookup(['suite-2.0', 'bin', 'tool']), { infoHash: G, wholeRelease: false });
    for (const segs of [
      ['old.bin'],
      ['draft.part'],
      ['notes.txt~'],
      ['suite-2.0'],
      ['suite-2.0', 'x.part'],
      ['suite-2.0', '.git', 'config'],
      ['other.bin'],
    ]) {
      assert.equal(p.lookup(segs), null, segs.join('/'));
    }
  });
});
