import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { startTrackerProcess, type TrackerProcess } from '../helpers/tracker-process.js';
import { httpGet, type HttpReply } from '../helpers/http-client.js';
import {
  MISSING_INFO_HASH_BODY,
  NOT_AUTHORIZED,
  NOT_AUTHORIZED_BODY,
  asDict,
  bdecode,
  bencodeKeys,
  hexBytes,
  pctEncode,
} from '../helpers/tracker-urls.js';
import {
  announcePacket,
  connectFromTwoPorts,
  parseUdpAnnounce,
  parseUdpScrape,
  scrapePacket,
  udpErrorText,
  udpRequest,
} from '../helpers/udp-client.js';

/**
 * Replays the transcript captured from Debian opentracker 0.0~git20210823.110868e (libs/protocol/src/vectors/golden.ts)
 * against ./bin/tracker:
 * same whitelist file (comment, upper case with trailing text, a line with a leading space), same requests
 * in the same order. Where we are compatible the bodies are compared byte for byte with the transcript's;
 * where we differ by design the difference itself is asserted, so it cannot change unnoticed.
 * Random intervals are the only bytes normalised (after checking their range and min = interval/2).
 */

const H1 = '0123456789abcdef0123456789abcdef01234567';
const HA = 'aa'.repeat(20);
const HB = 'bb'.repeat(20);
const H9 = '99'.repeat(20);
const E1 = pctEncode(hexBytes(H1));
const EA = pctEncode(hexBytes(HA));
const EB = pctEncode(hexBytes(HB));
const E9 = pctEncode(hexBytes(H9));
const WHITELIST =
  '# test whitelist\n0123456789abcdef0123456789abcdef01234567\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA uppercase, trailing text\n bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\n';
const REDIRECT = 'https://tracker.example/';

/** Python-style bytes literal from the transcript, e.g. '\\x7f\\x00' -> Buffer. */
function b(lit: string): Buffer {
  return Buffer.from(
    lit.replace(/\\x([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
    'latin1',
  );
}

const L = (hex: string): string => Buffer.from(hex, 'hex').toString('latin1');
const P6881 = L('7f0000011ae1');
const P6882 = L('7f0000011ae2');
const RAW_H1 = L(H1);
const RAW_HA = L(HA);

/** Checks the interval pair and replaces it by a fixed one, so the rest can be compared byte for byte. */
function normaliseInterval(body: Buffer): string {
  const s = body.toString('latin1');
  const m = /8:intervali(\d+)e12:min intervali(\d+)e/.exec(s);
  assert.ok(m, `interval keys present in ${JSON.stringify(s)}`);
  const i = Number(m[1]);
  const mi = Number(m[2]);
  assert.ok(i >= 1620 && i <= 1980, `interval ${i} in 1620..1980`);
  assert.equal(mi, Math.floor(i / 2), 'min interval = interval / 2');
  return s.replace(m[0], '8:intervali1800e12:min intervali900e');
}

function okText(res: HttpReply): void {
  assert.equal(res.status, 200);
  assert.match(String(res.headers['content-type']), /^text\/plain/);
  assert.equal(Number(res.headers['content-length']), res.body.length);
}

describe('conformance with the opentracker golden transcript', () => {
  let tr: TrackerProcess;
  let get: (path: string, headers?: Record<string, string>) => Promise<HttpReply>;
  before(async () => {
    tr = await startTrackerProcess({ whitelistText: WHITELIST, args: ['-A', '127.0.0.1', '-r', REDIRECT] });
    get = (path, headers = {}) => httpGet(tr.httpPort, path, headers);
  });
  after(() => tr?.cleanup());

  test('start-up log reports the whitelist: 2 loaded, line 4 (leading space) ignored', () => {
    const rec = tr.records().find((r) => typeof r['loaded'] === 'number');
    assert.ok(rec, 'a loaded record');
    assert.equal(rec['loaded'], 2);
    assert.equal(rec['ignored'], 1);
    assert.deepEqual(rec['ignoredLines'], [4]);
  });

  test('## 1 announces (G1, G2, G4): same bytes except that the requester is not returned to itself', async () => {
    // G1: opentracker returns the requester itself (peers6:<6881>); we return nothing.
    const g1 = await get(
      `/announce?info_hash=${E1}&peer_id=-TS0001-aaaaaaaaaaaa&port=6881&uploaded=0&downloaded=0&left=1000&event=started&compact=1`,
    );
    okText(g1);
    assert.equal(
      normaliseInterval(g1.body),
      'd8:completei0e10:downloadedi0e10:incompletei1e8:intervali1800e12:min intervali900e5:peers0:e',
    );

    // G2: opentracker peers12:<6881><6882>; ours peers6:<6881>
    const g2 = await get(
      `/announce?info_hash=${E1}&peer_id=-TS0001-bbbbbbbbbbbb&port=6882&uploaded=0&downloaded=1000&left=0&event=completed&compact=1`,
    );
    okText(g2);
    assert.equal(
      normaliseInterval(g2.body),
      `d8:completei1e10:downloadedi1e10:incompletei1e8:intervali1800e12:min intervali900e5:peers6:${P6881}e`,
    );

    const g3 = await get(`/announce?info_hash=${E1}&peer_id=-TS0001-aaaaaaaaaaaa&port=6881&uploaded=0&downloaded=0&left=1000`);
    assert.equal(
      normaliseInterval(g3.body),
      `d8:completei1e10:downloadedi1e10:incompletei1e8:intervali1800e12:min intervali900e5:peers6:${P6882}e`,
    );

    // compact=0: opentracker 400; ours a BEP 3 dictionary list (documented). Stop that peer again so the
    // rest of the transcript sees the same swarm as opentracker did.
    const c0 = await get(`/announce?info_hash=${E1}&peer_id=-TS0001-cccccccccccc&port=6883&left=5&compact=0`);
    okText(c0);
    assert.deepEqual(bencodeKeys(c0.body), ['complete', 'downloaded', 'incomplete', 'interval', 'min interval', 'peers']);
    assert.ok(Array.isArray(asDict(bdecode(c0.body))['peers']));
    const stop = await get(`/announce?info_hash=${E1}&peer_id=-TS0001-cccccccccccc&port=6883&left=5&event=stopped`);
    assert.equal(normaliseInterval(stop.body), 'd8:completei1e10:incompletei1e8:intervali1800e12:min intervali900e5:peers0:e');

    // AA: upper-case whitelist line with trailing text is valid; ip= is ignored. opentracker: peers6:<7001>
    const ga = await get(
      `/announce?info_hash=${EA}&peer_id=-TS0001-dddddddddddd&port=7001&left=0&key=abc&ip=10.1.2.3&no_peer_id=1&supportcrypto=1`,
    );
    okText(ga);
    assert.equal(
      normaliseInterval(ga.body),
      'd8:completei1e10:downloadedi0e10:incompletei0e8:intervali1800e12:min intervali900e5:peers0:e',
    );

    // G4: the leading-space line is not a whitelist entry; 99.. is not listed. Exact bytes.
    for (const e of [EB, E9]) {
      const r = await get(`/announce?info_hash=${e}&port=${e === EB ? 7002 : 7009}&left=0`);
      okText(r);
      assert.equal(r.body.toString('latin1'), NOT_AUTHORIZED_BODY);
      assert.equal(r.body.length, 85);
    }
  });

  test('## 2 malformed announces: G5 exact; the others are failure reasons instead of HTML 400 (documented)', async () => {
    const g5 = await get('/announce?port=6883&left=5');
    okText(g5);
    assert.equal(g5.body.toString('latin1'), MISSING_INFO_HASH_BODY);
    assert.equal(g5.body.length, 102);
    for (const path of [
      '/announce?info_hash=%01%23&port=6883',
      `/announce?info_hash=${E1}&port=70000`,
      `/announce?info_hash=${E1}&peer_id=short&port=6883`,
      `/announce?info_hash=${E1}&info_hash=${E1}&port=6883`,
      '/announce?info_hash=%zz&port=6883',
      `/announce?info_hash=${E1}&port=6883&numwant=ten`,
      '/announce',
    ]) {
      const r = await get(path);
      okText(r);
      const d = asDict(bdecode(r.body));
      assert.deepEqual(Object.keys(d), ['failure reason'], `${path}: ${r.body.toString('latin1')}`);
    }
  });

  test('## 3 scrape (G7): exact bytes, unknown hash omitted, keys in opentracker order', async () => {
    const one = await get(`/scrape?info_hash=${E1}`);
    okText(one);
    assert.deepEqual(
      one.body,
      b(`d5:filesd20:\\x01#Eg\\x89\\xab\\xcd\\xef\\x01#Eg\\x89\\xab\\xcd\\xef\\x01#Egd8:completei1e10:downloadedi1e10:incompletei1eeee`),
    );
    assert.equal(one.body.length, 81);
    const multi = await get(`/scrape?info_hash=${E1}&info_hash=${EA}&info_hash=${E9}`);
    okText(multi);
    assert.equal(
      multi.body.toString('latin1'),
      `d5:filesd20:${RAW_H1}d8:completei1e10:downloadedi1e10:incompletei1ee20:${RAW_HA}d8:completei1e10:downloadedi0e10:incompletei0eeee`,
    );
    assert.equal(multi.body.length, 151);
    for (const path of ['/scrape?', '/scrape?info_hash=%01']) {
      const r = await get(path);
      assert.equal(r.status, 200);
      assert.ok(asDict(bdecode(r.body))['failure reason'] !== undefined, `${path}: a failure reason (opentracker: HTML 400)`);
    }
  });

  test('## 4 full scrape (G8): the same dictionary, gzip only when asked', async () => {
    const expected = `d5:filesd20:${RAW_H1}d8:completei1e10:downloadedi1e10:incompletei1ee20:${RAW_HA}d8:completei1e10:downloadedi0e10:incompletei0eeee`;
    const plain = await get('/scrape');
    okText(plain);
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body.toString('latin1'), expected);
    const gz = await get('/scrape', { 'Accept-Encoding': 'gzip' });
    assert.equal(gz.status, 200);
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(zlib.gunzipSync(gz.body).toString('latin1'), expected);
  });

  test('## 5 other paths (G9): / redirects, unknown path 404, POST refused', async () => {
    const root = await get('/');
    assert.equal(root.status, 302);
    assert.equal(root.headers['location'], REDIRECT);
    assert.equal(root.body.length, 0);
    const idx = await get('/index.html');
    assert.equal(idx.status, 404);
    const post = await httpGet(tr.httpPort, `/announce?info_hash=${E1}&port=1`, {}, { method: 'POST' });
    assert.equal(post.status, 405, 'opentracker: 400; we: 405 Method Not Allowed');
  });

  test('## 6 UDP (G10): same counts and scrape bytes; differences asserted', async () => {
    const {
      cid,
      sockets: [s, s2],
    } = await connectFromTwoPorts(tr.udpPort);
    try {
      const pid = (c: string): Buffer => Buffer.from(`-UD0001-${c.repeat(12)}`);
      const ann = (txid: number, hash: string, peer: Buffer, left: bigint, event: number, numWant: number, port: number): Buffer =>
        announcePacket({
          connectionId: cid,
          txid,
          infoHash: hexBytes(hash),
          peerId: peer,
          downloaded: 0n,
          left,
          uploaded: 0n,
          event,
          key: 0,
          numWant,
          port,
        });

      const a1 = parseUdpAnnounce((await udpRequest(tr.udpPort, ann(0x33333333, H1, pid('a'), 1000n, 2, -1, 6991), 2000, { socket: s }))!);
      assert.equal(a1.txid, 0x33333333);
      assert.deepEqual([a1.leechers, a1.seeders], [2, 1]);
      // opentracker: ['127.0.0.1:6881', '127.0.0.1:6991', '127.0.0.1:6882'] (itself included)
      assert.deepEqual(new Set(a1.peers), new Set(['127.0.0.1:6881', '127.0.0.1:6882']));

      const a2 = parseUdpAnnounce((await udpRequest(tr.udpPort, ann(0x44444444, H1, pid('b'), 0n, 1, 50, 6992), 2000, { socket: s2 }))!);
      assert.deepEqual([a2.leechers, a2.seeders], [2, 2]);
      assert.deepEqual(new Set(a2.peers), new Set(['127.0.0.1:6881', '127.0.0.1:6991', '127.0.0.1:6882']));

      const a3 = await udpRequest(tr.udpPort, ann(0x55555555, H1, pid('a'), 1000n, 0, 0, 6991), 2000, { socket: s });
      assert.equal(a3!.length, 20);
      assert.equal(a3!.subarray(0, 8).toString('hex'), '0000000155555555');
      assert.equal(a3!.subarray(12).toString('hex'), '0000000200000002');

      // opentracker: 8-byte 0000000166666666 with no text; we: action 3 with the HTTP refusal text
      const nl = await udpRequest(tr.udpPort, ann(0x66666666, H9, pid('a'), 1000n, 2, 50, 6991), 2000, { socket: s });
      assert.equal(nl!.subarray(0, 8).toString('hex'), '0000000366666666');
      assert.equal(udpErrorText(nl), NOT_AUTHORIZED);

      const sc = await udpRequest(tr.udpPort, scrapePacket(cid, 0x77777777, [hexBytes(H1), hexBytes(HA), hexBytes(H9)]), 2000, {
        socket: s,
      });
      assert.equal(
        sc!.toString('hex'),
        '0000000277777777000000020000000200000002000000010000000000000000000000000000000000000000',
        'byte-identical to opentracker',
      );

      // opentracker: 75 entries (908 bytes); we: 74 (896 bytes)
      const sc80 = await udpRequest(
        tr.udpPort,
        scrapePacket(
          cid,
          0x78787878,
          Array.from({ length: 80 }, () => hexBytes(H1)),
        ),
        2000,
        { socket: s },
      );
      assert.equal(sc80!.length, 896);
      assert.deepEqual(parseUdpScrape(sc80!)[73], { seeders: 2, completed: 2, leechers: 2 });

      // opentracker: 'Connection ID missmatch.\0'; we fix the spelling and drop the NUL
      const bad = await udpRequest(tr.udpPort, scrapePacket(Buffer.alloc(8), 0x88888888, [hexBytes(H1)]), 2000, { socket: s });
      assert.equal(bad!.toString('hex'), '0000000388888888' + Buffer.from('Connection ID mismatch.').toString('hex'));

      for (const [label, pkt] of [
        ['bad magic', Buffer.from('00000000000012340000000099999999', 'hex')],
        ['15 bytes', Buffer.alloc(15)],
        ['action 3', Buffer.concat([cid, Buffer.from('00000003aaaaaaaa', 'hex')])],
        ['action 5', Buffer.concat([cid, Buffer.from('00000005abababab', 'hex')])],
        ['97-byte announce', ann(0xbbbbbbbb, H1, pid('a'), 1000n, 0, 50, 6991).subarray(0, 97)],
      ] as const) {
        assert.equal(await udpRequest(tr.udpPort, pkt, 300, { socket: s }), null, `no answer to ${label}`);
      }

      const st = await udpRequest(tr.udpPort, ann(0xcccccccc, H1, pid('a'), 1000n, 3, 50, 6991), 2000, { socket: s });
      assert.equal(st!.length, 20);
      assert.equal(st!.subarray(0, 8).toString('hex'), '00000001cccccccc');
      assert.equal(st!.subarray(12).toString('hex'), '0000000100000002', 'leechers 1, seeders 2 as in the transcript');
    } finally {
      s.close();
      s2.close();
    }
  });

  test('## 7 stats (G11, G12, G13): ACL, peer/torr bodies, tpbs formats, statedump', async () => {
    const denied = await httpGet(tr.httpPort, '/stats', {}, { localAddress: '127.0.0.2' });
    assert.equal(denied.status, 403);
    for (const path of ['/stats', '/stats?mode=peer']) {
      const r = await get(path);
      okText(r);
      assert.equal(r.body.toString('latin1'), '4\n3\nopentracker serving 2 torrents\nopentracker');
    }
    assert.equal((await get('/stats?mode=torr')).body.toString('latin1'), '2\n0\nopentracker serving 2 torrents\nopentracker');
    assert.match(
      (await get('/stats?mode=completed')).body.toString('latin1'),
      /^2\n0\n\d+ seconds \(0 hours\)\nopentracker, 2 completed\/h\.$/,
    );

    const U1 = H1.toUpperCase();
    const UA = HA.toUpperCase();
    const formats: Array<[string, Buffer]> = [
      ['txt', Buffer.from(`${U1}:2:1\n${UA}:1:0\n`)],
      ['txtp', Buffer.from(`${U1}:2:1:2\n${UA}:1:0:0\n`)],
      ['bin', Buffer.concat([hexBytes(H1), Buffer.from('0000000200000001', 'hex'), hexBytes(HA), Buffer.from('0000000100000000', 'hex')])],
      [
        'url',
        Buffer.from(
          '%01%23Eg%89%ab%cd%ef%01%23Eg%89%ab%cd%ef%01%23Eg:2:1\n%aa%aa%aa%aa%aa%aa%aa%aa%aa%aa%aa%aa%aa%aa%aa%aa%aa%aa%aa%aa:1:0\n',
        ),
      ],
      [
        'ben',
        Buffer.from(
          `d5:filesd20:${RAW_H1}d8:completei2e10:downloadedi2e10:incompletei1ee20:${RAW_HA}d8:completei1e10:downloadedi0e10:incompletei0eeee`,
          'latin1',
        ),
      ],
    ];
    for (const [format, expected] of formats) {
      const plain = await get(`/stats?mode=tpbs&format=${format}`);
      assert.equal(plain.status, 200, format);
      assert.equal(plain.headers['content-encoding'], undefined, `${format}: no gzip unless asked (opentracker: always)`);
      assert.deepEqual(plain.body, expected, `tpbs format=${format}: ${JSON.stringify(plain.body.toString('latin1'))}`);
      const gz = await get(`/stats?mode=tpbs&format=${format}`, { 'Accept-Encoding': 'gzip' });
      assert.equal(gz.headers['content-encoding'], 'gzip', format);
      assert.deepEqual(zlib.gunzipSync(gz.body), expected, format);
    }
    const noFormat = await get('/stats?mode=tpbs');
    assert.equal(noFormat.body.toString('latin1'), `${U1}:2:1\n${UA}:1:0\n`, 'tpbs without format answers txt (opentracker hangs)');

    const dump = await get('/stats?mode=statedump');
    assert.equal(dump.status, 200);
    const lines = dump.body.toString('latin1').split('\n');
    assert.equal(lines.pop(), '', 'ends with a newline');
    const nowMinute = Math.floor(Date.now() / 60000);
    assert.deepEqual(
      lines.map((l) => l.replace(/:\d+:/, ':M:')),
      [`${U1}:M:2`, `${UA}:M:0`],
    );
    for (const l of lines) {
      const minute = Number(l.split(':')[1]);
      assert.ok(Math.abs(minute - nowMinute) <= 60, `statedump base minute ${minute} near now ${nowMinute}`);
    }

    const top = (await get('/stats?mode=top10')).body.toString('latin1');
    assert.ok(
      top.startsWith(`Top 10 torrents by peers:\n\t3\t${U1}\n\t1\t${UA}\nTop 10 torrents by seeds:\n\t2\t${U1}\n\t1\t${UA}\n`),
      JSON.stringify(top),
    );
    assert.equal((await get('/stats?mode=bogus')).status, 400);
  });

  test('## 8 SIGHUP reload (G14, G15): add at once, peers kept; de-listed refused, peers dropped, count kept', async () => {
    assert.equal((await get('/stats?mode=peer')).body.toString('latin1'), '4\n3\nopentracker serving 2 torrents\nopentracker');
    assert.equal((await get(`/announce?info_hash=${E9}&port=7009&left=0`)).body.toString('latin1'), NOT_AUTHORIZED_BODY);

    fs.appendFileSync(tr.whitelistPath, '9999999999999999999999999999999999999999\n');
    const rec = await tr.sighup();
    assert.equal(rec['loaded'], 3);
    assert.deepEqual(rec['ignoredLines'], [4]);
    // opentracker: peers6:<7009> (itself)
    const g14 = await get(`/announce?info_hash=${E9}&port=7009&left=0`);
    assert.equal(
      normaliseInterval(g14.body),
      'd8:completei1e10:downloadedi0e10:incompletei0e8:intervali1800e12:min intervali900e5:peers0:e',
    );
    assert.equal((await get('/stats?mode=peer')).body.toString('latin1'), '5\n4\nopentracker serving 3 torrents\nopentracker');
    assert.equal(
      (await get(`/scrape?info_hash=${E1}`)).body.toString('latin1'),
      `d5:filesd20:${RAW_H1}d8:completei2e10:downloadedi2e10:incompletei1eeee`,
    );

    fs.writeFileSync(
      tr.whitelistPath,
      fs
        .readFileSync(tr.whitelistPath, 'utf8')
        .split('\n')
        .filter((l) => !l.startsWith('0123456789abcdef'))
        .join('\n'),
    );
    const rec2 = await tr.sighup();
    assert.equal(rec2['loaded'], 2);
    const refused = await get(`/announce?info_hash=${E1}&peer_id=-TS0001-aaaaaaaaaaaa&port=6881&left=1000`);
    assert.equal(refused.body.toString('latin1'), NOT_AUTHORIZED_BODY);
    // opentracker keeps the peers (complete 2, incomplete 1); we drop them and keep the download count
    assert.equal(
      (await get(`/scrape?info_hash=${E1}`)).body.toString('latin1'),
      `d5:filesd20:${RAW_H1}d8:completei0e10:downloadedi2e10:incompletei0eeee`,
    );
    const stopped = await get(`/announce?info_hash=${E1}&peer_id=-TS0001-aaaaaaaaaaaa&port=6881&left=1000&event=stopped`);
    assert.equal(
      normaliseInterval(stopped.body),
      'd8:completei0e10:incompletei0e8:intervali1800e12:min intervali900e5:peers0:e',
      'a stop is still accepted',
    );
    assert.equal(
      (await get(`/scrape?info_hash=${E1}`)).body.toString('latin1'),
      `d5:filesd20:${RAW_H1}d8:completei0e10:downloadedi2e10:incompletei0eeee`,
    );
    const txtp = (await get('/stats?mode=tpbs&format=txtp')).body.toString('latin1');
    assert.ok(txtp.includes(`${H1.toUpperCase()}:0:0:2\n`), txtp);
    assert.ok(txtp.includes(`${H9.toUpperCase()}:1:0:0\n`), txtp);
    assert.equal(tr.alive(), true);
  });
});
