import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import parseTorrent from 'parse-torrent';
import { encodeTorrent } from '../../../libs/torrent/src/metainfo.js';
import { rawInfo, rewriteTorrent, TorrentRewriteError } from './torrent-rewrite.js';

const sha1 = (b: Uint8Array): string => createHash('sha1').update(b).digest('hex');

function sample(opts: { files?: boolean; urlList?: string[]; priv?: boolean } = {}): Uint8Array {
  return encodeTorrent({
    name: 'app-1.0',
    files: opts.files
      ? [
          { path: ['a.bin'], length: 3 },
          { path: ['sub', 'b.bin'], length: 5 },
        ]
      : null,
    length: 8,
    pieceLength: 16384,
    pieces: new Uint8Array(20).fill(7),
    announceList: [['http://old.example:6969/announce'], ['udp://old.example:6969/announce']],
    urlList: opts.urlList ?? ['http://old.example:8080/files/'],
    comment: 'c',
    createdBy: 'x',
    creationDate: 1_700_000_000,
    private: opts.priv ?? false,
  });
}

describe('rewriteTorrent', () => {
  test('new trackers and web seeds, same info_hash (parse-torrent reads both)', async () => {
    for (const t of [sample(), sample({ files: true }), sample({ priv: true }), sample({ urlList: [] })]) {
      const before = await parseTorrent(t);
      const out = rewriteTorrent(t, {
        announceTiers: [['https://new.example/announce'], ['udp://new.example:6969/announce']],
        webSeeds: ['https://new.example/files/', 'https://mirror.example/pub/'],
      });
      const after = await parseTorrent(out);
      assert.equal(after.infoHash, before.infoHash);
      assert.deepEqual(after.announce, ['https://new.example/announce', 'udp://new.example:6969/announce']);
      assert.deepEqual(after.urlList, ['https://new.example/files/', 'https://mirror.example/pub/']);
      assert.equal(after.comment, 'c');
      assert.equal(after.private, before.private);
    }
  });

  test('no web seeds removes url-list; the info bytes are copied even when not canonical', () => {
    // keys of this info dict are not sorted: a decode + encode would change its hash
    const info = Buffer.from('d4:name1:a6:lengthi5e12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaae', 'latin1');
    const t = Buffer.concat([Buffer.from('d8:announce3:old4:info', 'latin1'), info, Buffer.from('8:url-listl3:oldee', 'latin1')]);
    const out = rewriteTorrent(t, { announceTiers: [['http://n/announce']], webSeeds: [] });
    assert.equal(sha1(rawInfo(out)), sha1(info));
    const s = Buffer.from(out).toString('latin1');
    assert.ok(!s.includes('url-list'));
    assert.ok(s.startsWith('d8:announce17:http://n/announce13:announce-listll17:http://n/announceee4:info'), s);
  });

  test('rejects what is not a torrent, with a TorrentRewriteError', () => {
    for (const bad of ['', 'le', 'de', 'd4:infoi1ee', 'd4:info', 'd4:infodee_', 'd4:infode4:infodee', 'd99999999999:x', 'i12e']) {
      assert.throws(() => rewriteTorrent(Buffer.from(bad, 'latin1'), { announceTiers: [], webSeeds: [] }), TorrentRewriteError, bad);
    }
    const deep = Buffer.from(`d4:info${'l'.repeat(200)}${'e'.repeat(200)}e`, 'latin1');
    assert.throws(() => rewriteTorrent(deep, { announceTiers: [], webSeeds: [] }), TorrentRewriteError);
  });

  test('property: any bytes give a torrent or a TorrentRewriteError; mutated torrents keep the info bytes', async () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          rewriteTorrent(bytes, { announceTiers: [['http://a/']], webSeeds: ['http://w/'] });
        } catch (e) {
          assert.ok(e instanceof TorrentRewriteError, String(e));
        }
      }),
      { seed: 42, numRuns: 2000 },
    );
    const t = sample({ files: true });
    const want = sha1(rawInfo(t));
    const url = fc.webUrl();
    fc.assert(
      fc.property(
        fc.array(fc.array(url, { minLength: 1, maxLength: 3 }), { maxLength: 4 }),
        fc.array(url, { maxLength: 3 }),
        (tiers, seeds) => {
          const out = rewriteTorrent(t, { announceTiers: tiers, webSeeds: seeds });
          assert.equal(sha1(rawInfo(out)), want);
          assert.equal(sha1(rawInfo(rewriteTorrent(out, { announceTiers: [], webSeeds: [] }))), want);
        },
      ),
      { seed: 42, numRuns: 300 },
    );
  });
});
