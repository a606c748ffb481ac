/**
 * Golden vectors captured from Debian opentracker 0.0~git20210823.110868e-3 on loopback (curl for HTTP,
 * a raw socket for UDP): the reference bytes our tracker is compared with.
 * HTTP bodies are written as latin1 strings of the exact bytes; UDP datagrams as hex.
 */

/** info_hash H1 = 0123456789abcdef0123456789abcdef01234567, as sent in the HTTP transcript. */
export const H1_QUERY = '%01%23%45%67%89%AB%CD%EF%01%23%45%67%89%AB%CD%EF%01%23%45%67';
export const H1_HEX = '0123456789abcdef0123456789abcdef01234567';
export const HA_QUERY = '%AA'.repeat(20);
export const HA_HEX = 'aa'.repeat(20);
export const H9_QUERY = '%99'.repeat(20);
export const HB_QUERY = '%BB'.repeat(20);

/** HTTP announce queries from "## 1 announces" and "## 2 malformed announces" (the part after '?'). */
export const HTTP_QUERIES = {
  first: `info_hash=${H1_QUERY}&peer_id=-TS0001-aaaaaaaaaaaa&port=6881&uploaded=0&downloaded=0&left=1000&event=started&compact=1`,
  completed: `info_hash=${H1_QUERY}&peer_id=-TS0001-bbbbbbbbbbbb&port=6882&uploaded=0&downloaded=1000&left=0&event=completed&compact=1`,
  reannounce: `info_hash=${H1_QUERY}&peer_id=-TS0001-aaaaaaaaaaaa&port=6881&uploaded=0&downloaded=0&left=1000`,
  compact0: `info_hash=${H1_QUERY}&peer_id=-TS0001-cccccccccccc&port=6883&left=5&compact=0`,
  extras: `info_hash=${HA_QUERY}&peer_id=-TS0001-dddddddddddd&port=7001&left=0&key=abc&ip=10.1.2.3&no_peer_id=1&supportcrypto=1`,
  notListedB: `info_hash=${HB_QUERY}&port=7002&left=0`,
  notListed9: `info_hash=${H9_QUERY}&port=7009&left=0`,
  shortHash: 'info_hash=%01%23&port=6883',
  noHash: 'port=6883&left=5',
  port70000: `info_hash=${H1_QUERY}&port=70000`,
  shortPeerId: `info_hash=${H1_QUERY}&peer_id=short&port=6883`,
  duplicateHash: `info_hash=${H1_QUERY}&info_hash=${H1_QUERY}&port=6883`,
  badEscape: 'info_hash=%zz&port=6883',
  numwantTen: `info_hash=${H1_QUERY}&port=6883&numwant=ten`,
  scrapeOne: `info_hash=${H1_QUERY}`,
  scrapeThree: `info_hash=${H1_QUERY}&info_hash=${HA_QUERY}&info_hash=${H9_QUERY}`,
  scrapeEmpty: '',
  scrapeShort: 'info_hash=%01',
} as const;

/** HTTP bodies (latin1 = raw bytes). */
export const HTTP_BODIES = {
  G1: 'd8:completei0e10:downloadedi0e10:incompletei1e8:intervali1644e12:min intervali822e5:peers6:\x7f\x00\x00\x01\x1a\xe1e',
  G2: 'd8:completei1e10:downloadedi1e10:incompletei1e8:intervali1942e12:min intervali971e5:peers12:\x7f\x00\x00\x01\x1a\xe1\x7f\x00\x00\x01\x1a\xe2e',
  reannounce:
    'd8:completei1e10:downloadedi1e10:incompletei1e8:intervali1814e12:min intervali907e5:peers12:\x7f\x00\x00\x01\x1a\xe1\x7f\x00\x00\x01\x1a\xe2e',
  extras: 'd8:completei1e10:downloadedi0e10:incompletei0e8:intervali1654e12:min intervali827e5:peers6:\x7f\x00\x00\x01\x1bYe',
  G4: 'd14:failure reason63:Requested download is not authorized for use with this tracker.e',
  G5: "d14:failure reason80:Your client forgot to send your torrent's info_hash. Please upgrade your client.e",
  scrapeOne: 'd5:filesd20:\x01#Eg\x89\xab\xcd\xef\x01#Eg\x89\xab\xcd\xef\x01#Egd8:completei1e10:downloadedi1e10:incompletei1eeee',
  G7: 'd5:filesd20:\x01#Eg\x89\xab\xcd\xef\x01#Eg\x89\xab\xcd\xef\x01#Egd8:completei1e10:downloadedi1e10:incompletei1ee20:\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaa\xaad8:completei1e10:downloadedi0e10:incompletei0eeee',
  /** Not captured over HTTP; built from opentracker's bencoded announce template (trackerlogic.c return_peers_for_torrent) with the counts of the UDP stopped reply. */
  stopped: 'd8:completei2e10:incompletei1e8:intervali1792e12:min intervali896e5:peers0:e',
} as const;

/** UDP datagrams from "## 6 UDP": sent (client -> tracker) and recv (tracker -> client). */
export const UDP = {
  cid: 'b14e158be865c8f4',
  connect1: { sent: '00000417271019800000000011111111', recv: '0000000011111111b14e158be865c8f4' },
  connect2: { sent: '00000417271019800000000022222222', recv: '0000000022222222b14e158be865c8f4' },
  announceStarted: {
    sent: 'b14e158be865c8f400000001333333330123456789abcdef0123456789abcdef012345672d5544303030312d616161616161616161616161000000000000000000000000000003e800000000000000000000000200000000deadbeefffffffff1b4f',
    recv: '00000001333333330000078000000002000000017f0000011ae17f0000011b4f7f0000011ae2',
  },
  announceCompleted: {
    sent: 'b14e158be865c8f400000001444444440123456789abcdef0123456789abcdef012345672d5544303030312d62626262626262626262626200000000000003e800000000000000000000000000000000000000010000000000000000000000321b50',
    recv: '00000001444444440000071800000002000000027f0000011ae17f0000011b4f7f0000011b507f0000011ae2',
  },
  announceNumwant0: {
    sent: 'b14e158be865c8f400000001555555550123456789abcdef0123456789abcdef012345672d5544303030312d616161616161616161616161000000000000000000000000000003e80000000000000000000000000000000000000000000000001b4f',
    recv: '0000000155555555000007190000000200000002',
  },
  announceNotListed: {
    sent: 'b14e158be865c8f4000000016666666699999999999999999999999999999999999999992d5544303030312d616161616161616161616161000000000000000000000000000003e80000000000000000000000020000000000000000000000321b4f',
  },
  scrape3: {
    sent: 'b14e158be865c8f400000002777777770123456789abcdef0123456789abcdef01234567aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa9999999999999999999999999999999999999999',
    recv: '0000000277777777000000020000000200000002000000010000000000000000000000000000000000000000',
  },
  scrapeBadCid: {
    sent: '000000000000000000000002888888880123456789abcdef0123456789abcdef01234567',
    /** opentracker's reply: "Connection ID missmatch.\0". Ours fixes the spelling and drops the NUL. */
    recv: '0000000388888888436f6e6e656374696f6e204944206d6973736d617463682e00',
  },
  badMagic: '00000000000012340000000099999999',
  short15: '000000000000000000000000000000',
  action3: 'b14e158be865c8f400000003aaaaaaaa',
  action5: 'b14e158be865c8f400000005abababab',
  announce97:
    'b14e158be865c8f400000001bbbbbbbb0123456789abcdef0123456789abcdef012345672d5544303030312d616161616161616161616161000000000000000000000000000003e80000000000000000000000000000000000000000000000321b',
  announceStopped: {
    sent: 'b14e158be865c8f400000001cccccccc0123456789abcdef0123456789abcdef012345672d5544303030312d616161616161616161616161000000000000000000000000000003e80000000000000000000000030000000000000000000000321b4f',
    recv: '00000001cccccccc000007000000000100000002',
  },
} as const;
