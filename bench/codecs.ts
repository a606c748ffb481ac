/**
 * Micro-benchmark of the hot codecs (a script, not a test):
 *   npx tsc -p . && node dist/bench/codecs.js [iterations]
 * Prints ns/op (best of 5 rounds) for each codec, from the process's CPU time rather than wall time, so that
 * other load on a shared machine inflates the numbers less. Compare runs on one machine only.
 */
import { randomBytes } from 'node:crypto';
import { parseAnnounceQuery } from '../libs/protocol/src/announce-request.js';
import { encodeAnnounce, encodeScrape } from '../libs/protocol/src/bencode-replies.js';
import { createConnectionIds } from '../libs/protocol/src/connection-id.js';
import { parseScrapeQuery } from '../libs/protocol/src/scrape-request.js';
import { decodeUdpRequest, encodeAnnounceReply } from '../libs/protocol/src/udp.js';
import { EVENT_STARTED } from '../libs/protocol/src/announce-event.js';
import { PEER_PORT_BASE, benchInfoHash, isSeeder, peerIdOf } from './population.js';
import { createFramer, type FrameConn } from '../apps/tracker/src/http-framer.js';
import { createHttpRoutes } from '../apps/tracker/src/http-routes.js';
import { silentLog, testClock, testHttpOptions, testSettings } from '../apps/tracker/src/test-tracker.js';
import { Tracker } from '../apps/tracker/src/tracker.js';
import { createUdpHandler } from '../apps/tracker/src/udp-server.js';

const iterations = Number(process.argv[2] ?? 1_000_000);
let sink = 0;

function bench(name: string, fn: (i: number) => number): void {
  for (let i = 0; i < Math.min(iterations, 200_000); i++) sink += fn(i);
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < iterations; i++) sink += fn(i);
    const t = process.cpuUsage(t0);
    best = Math.min(best, ((t.user + t.system) * 1000) / iterations);
  }
  console.log(`${name.padEnd(52)} ${best.toFixed(1).padStart(8)} ns/op`);
}

/** Percent-encode like libtorrent: unreserved chars as they are, everything else as %XX. */
function urlEncode(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    s += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return s;
}

const infoHash = randomBytes(20);
const peerId = Buffer.concat([Buffer.from('-qB4630-'), randomBytes(12)]);
const query0 =
  `info_hash=${urlEncode(infoHash)}&peer_id=${urlEncode(peerId)}&port=51413&uploaded=0&downloaded=0` +
  '&left=1073741824&corrupt=0&key=5E3F1A2B&event=started&numwant=200&compact=1&no_peer_id=1&supportcrypto=1&redundant=0';
const query = flat(query0);
const allEscaped0 = `info_hash=${escapeAll(infoHash)}&peer_id=${escapeAll(peerId)}&port=6881&uploaded=0&downloaded=0&left=1000&event=started&compact=1`;
/** Every byte as %XX, as some clients (and ../shared/bench) send binary values. */
function escapeAll(bytes: Uint8Array): string {
  return [...bytes].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}
/** req.url arrives as a flat latin1 string; template literals would give V8 rope strings instead. */
function flat(s: string): string {
  return Buffer.from(s, 'latin1').toString('latin1');
}
const allEscaped = flat(allEscaped0);
const scrapeQuery0 = Array.from({ length: 5 }, () => `info_hash=${urlEncode(randomBytes(20))}`).join('&');

const scrapeQuery = flat(scrapeQuery0);

const udpAnnounce = Buffer.alloc(98);
randomBytes(8).copy(udpAnnounce, 0);
udpAnnounce.writeUInt32BE(1, 8);
udpAnnounce.writeUInt32BE(0x12345678, 12);
infoHash.copy(udpAnnounce, 16);
peerId.copy(udpAnnounce, 36);
udpAnnounce.writeBigUInt64BE(1000n, 64);
udpAnnounce.writeUInt32BE(2, 80);
udpAnnounce.writeInt32BE(-1, 92);
udpAnnounce.writeUInt16BE(6881, 96);

const peers50 = randomBytes(6 * 50);
const files = Array.from({ length: 5 }, () => ({
  infoHash: randomBytes(20).toString('latin1'),
  complete: 12,
  downloaded: 345,
  incomplete: 6,
}));

const ids = createConnectionIds(randomBytes(32));
const now = 1_700_000_000;
const ips = Array.from({ length: 1000 }, (_, i) => `10.0.${i >> 8}.${i & 255}`);
const issued = ips.map((ip) => ids.issue(ip, now));

console.log(`node ${process.version}, ${iterations} iterations per round`);
console.log(`query (${query.length} chars): ${query}`);
bench('parseAnnounceQuery (libtorrent-style query)', () => parseAnnounceQuery(query).port);
bench('  for scale: new URLSearchParams(q).get (corrupts binary)', () => (new URLSearchParams(query).get('port') === null ? 0 : 1));
bench('parseAnnounceQuery (every byte %XX)', () => parseAnnounceQuery(allEscaped).port);
bench('parseScrapeQuery (5 hashes)', () => parseScrapeQuery(scrapeQuery, 64).infoHashes.length);
bench('decodeUdpRequest (98-byte announce)', () => decodeUdpRequest(udpAnnounce)?.action ?? 0);
bench(
  'encodeAnnounce (50 peers)',
  (i) =>
    encodeAnnounce({
      complete: 10,
      downloaded: i,
      incomplete: 40,
      interval: 1800,
      minInterval: 900,
      peers: peers50,
      peers6: null,
    }).length,
);
bench('encodeAnnounceReply UDP (50 peers)', (i) => encodeAnnounceReply(i, 1800, 40, 10, peers50).length);
bench('encodeScrape (5 files)', () => encodeScrape(files).length);
bench('connection id verify (cached, 1000 ips)', (i) => (ids.verify(issued[i % 1000]!, ips[i % 1000]!, now + 1) ? 1 : 0));
bench('connection id verify (spoofed: 2 HMACs)', (i) => (ids.verify(issued[0]!, ips[1 + (i % 999)]!, now + 1) ? 1 : 0));

// The tracker's JavaScript for one one-request HTTP announce, without the socket: the request's bytes as the
// wire hands them over (latin1 text), framing, routing, the swarm (1,000 torrents of 200 peers, as the bench
// loads) and the reply's bytes. What the tracker adds to Node's own cost of a connection (bench/RESULTS.md).
const tracker = new Tracker(testSettings('whitelist'), testClock);
tracker.setAccessList(new Set(Array.from({ length: 1000 }, (_, t) => benchInfoHash(t).toString('latin1'))));
for (let t = 0; t < 1000; t++) {
  for (let k = 0; k < 200; k++) {
    const port = PEER_PORT_BASE + k;
    tracker.announce({
      infoHash: benchInfoHash(t).toString('latin1'),
      addr: Buffer.from([10, t >> 8, t & 255, k, port >> 8, port & 255]),
      addrLen: 6,
      seeder: isSeeder(k),
      downloaded: 0,
      event: EVENT_STARTED,
      peerId: peerIdOf(t, k).toString('latin1'),
      numwant: 0,
      numwantCap: Infinity,
      bothFamilies: true,
    });
  }
}
const routes = createHttpRoutes(tracker, testHttpOptions(true), testClock, silentLog);
const framer = createFramer({ route: routes, counters: tracker.counters, maxUrlBytes: 8192, onRouteError() {} });
// re-announces of the loaded peers, as the harness's wrk script sends them
const requests = Array.from({ length: 4096 }, (_, i) => {
  const t = (i * 7) % 1000;
  const k = i % 200;
  const q = `info_hash=${escapeAll(benchInfoHash(t))}&peer_id=${urlEncode(peerIdOf(t, k))}&port=${PEER_PORT_BASE + k}&key=${(i * 7919).toString(16)}&uploaded=1000&downloaded=1000&left=${isSeeder(k) ? 0 : i * 4099}&corrupt=0&numwant=50&compact=1&no_peer_id=1`;
  return Buffer.from(`GET /announce?${q} HTTP/1.1\r\nHost: 127.0.0.1:6969\r\nUser-Agent: bench/1\r\nConnection: close\r\n\r\n`, 'latin1');
});
let replied = 0;
const replySink = {
  write: (d: string | Buffer) => d.length,
  end: (d: string | Buffer) => {
    replied += d.length;
  },
};
bench('one-request HTTP announce: framer, route, swarm, reply (no socket)', (i) => {
  const conn: FrameConn = {
    buf: '',
    pendingSince: 0,
    closing: false,
    paused: false,
    aged: false,
    remoteAddress: ips[i % 1000]!,
    sink: replySink,
  };
  framer.feed(conn, requests[i & 4095]!.toString('latin1'), 0);
  return replied;
});

// The same for one BEP 15 announce: the handler (decode, connection id, swarm, reply bytes) up to the send;
// against bench/node-floor.ts's fixed reply, what the tracker adds per UDP announce (bench/RESULTS.md).
const udpIds = createConnectionIds(randomBytes(32));
const udpNow = Math.floor(testClock.now() / 1000);
const udpHandle = createUdpHandler(tracker, udpIds, testClock, silentLog);
const udpFrom = Array.from({ length: 1000 }, (_, t) => ({ address: `10.${t >> 8}.${t & 255}.1`, port: 0 }));
const udpRequests = Array.from({ length: 4096 }, (_, i) => {
  const t = (i * 7) % 1000;
  const k = i % 200;
  const m = Buffer.alloc(98);
  udpIds.issue(udpFrom[t]!.address, udpNow).copy(m, 0);
  m.writeUInt32BE(1, 8);
  m.writeUInt32BE(i, 12);
  benchInfoHash(t).copy(m, 16);
  peerIdOf(t, k).copy(m, 36);
  m.writeBigUInt64BE(isSeeder(k) ? 0n : BigInt(i * 4099), 64);
  m.writeInt32BE(50, 92);
  m.writeUInt16BE(PEER_PORT_BASE + k, 96);
  return { m, t, k };
});
let udpSent = 0;
const udpSink = {
  send: (msg: Buffer) => {
    udpSent += msg.length;
  },
};
bench('one UDP announce: decode, connection id, swarm, reply (no socket)', (i) => {
  const r = udpRequests[i & 4095]!;
  const from = udpFrom[r.t]!;
  from.port = PEER_PORT_BASE + r.k;
  udpHandle(udpSink, r.m, from);
  return udpSent;
});
if (sink === 42) console.log('');
