import dgram from 'node:dgram';
import type { Logger } from '../../../libs/common/src/log.js';
import {
  ProtocolError, decodeUdpRequest, encodeAnnounceReply, encodeConnectReply, encodeErrorReply, encodeScrapeReply,
  type createConnectionIds,
} from '../../../libs/protocol/src/index.js';
import { writeCompact } from '../../../libs/swarm/src/index.js';
import type { Counters } from './counters.js';
import type { Clock, Tracker } from './tracker.js';

/**
 * BEP 15 over node:dgram. Malformed packets are dropped (counted), never answered with more than a short
 * error, and never reach the swarm. A refused torrent gets an action-3 error with the same text as HTTP,
 * where opentracker sends a bare 8-byte header that clients cannot explain to their users.
 */
export type ConnectionIds = ReturnType<typeof createConnectionIds>;

/** Peers that fit one reply in a 1,500-byte MTU: 20 + 200 × 6 and 20 + 66 × 18 bytes. */
const NUMWANT_CAP_V4 = 200;
const NUMWANT_CAP_V6 = 66;
const MISMATCH = 'Connection ID mismatch.';

/** The part of dgram.Socket a reply needs (a fake in tests). */
export interface UdpSender {
  send(msg: Buffer, port: number, address: string, callback?: (err: Error | null) => void): void;
}

export interface ReplyAddress {
  readonly address: string;
  readonly port: number;
}

/**
 * One send in this many asks node:dgram for its outcome. dgram reports a failed send (EPERM from a firewall,
 * ENOBUFS, an unreachable network) only to a send that passes a callback, and a callback costs a deferred
 * call per packet that node then runs after the datagram's handler (measured: ~1.5 of ~25 µs per announce).
 * Send failures come in runs (a full buffer, a firewall rule, a route that went away), so a sample shows them.
 */
export const SEND_OUTCOME_SAMPLE = 64;

/**
 * Sends one reply and never throws. A datagram's source is chosen by the sender: a raw socket can claim
 * port 0, which dgram refuses by throwing (ERR_SOCKET_BAD_PORT) — from inside an error handler that took
 * the whole process down. Such a destination is dropped and counted; a send that throws (socket closed,
 * address family mismatch) is counted as a send error, and so is a sampled send that fails later
 * (udpSendErrors counts those failures: one send in SEND_OUTCOME_SAMPLE is sampled).
 */
export function createReplySender(c: Counters): (socket: UdpSender, buf: Buffer, to: ReplyAddress) => void {
  // one callback for every sampled send: asking for the outcome must not allocate per packet
  const onSent = (err: Error | null): void => {
    if (err) c.udpSendErrors++;
  };
  let n = 0;
  return function sendReply(socket, buf, to) {
    const port = to.port;
    if (!(port >= 1 && port <= 65535) || typeof to.address !== 'string' || to.address.length === 0) {
      c.udpUnsendable++;
      return;
    }
    try {
      if (++n >= SEND_OUTCOME_SAMPLE) {
        n = 0;
        socket.send(buf, port, to.address, onSent);
      } else {
        socket.send(buf, port, to.address);
      }
    } catch {
      c.udpSendErrors++;
    }
  };
}

export function createUdpHandler(tracker: Tracker, ids: ConnectionIds, clock: Clock, log: Logger) {
  const c = tracker.counters;
  const addr = Buffer.alloc(18);
  const reply = createReplySender(c);
  let lastErrorLog = 0;

  function answer(socket: UdpSender, msg: Buffer, rinfo: ReplyAddress): void {
    const req = decodeUdpRequest(msg);
    if (req === null) {
      c.udpDropped++;
      return;
    }
    const ip = rinfo.address;
    const nowSeconds = Math.floor(clock.now() / 1000);
    if (req.action === 0) {
      c.udpConnects++;
      reply(socket, encodeConnectReply(req.transactionId, ids.issue(ip, nowSeconds)), rinfo);
      return;
    }
    if (!ids.verify(req.connectionId, ip, nowSeconds)) {
      c.udpMismatches++;
      reply(socket, encodeErrorReply(req.transactionId, MISMATCH), rinfo);
      return;
    }
    if (req.action === 1) {
      if (req.port === 0) throw new ProtocolError('BAD_PORT');
      const addrLen = writeCompact(ip, req.port, addr);
      if (addrLen === 0) return;
      const r = tracker.announce({
        infoHash: req.infoHash,
        addr,
        addrLen,
        seeder: req.left === 0,
        downloaded: req.downloaded,
        event: req.event,
        peerId: req.peerId,
        numwant: req.numWant,
        numwantCap: addrLen === 6 ? NUMWANT_CAP_V4 : NUMWANT_CAP_V6,
        bothFamilies: false,
      });
      c.udpAnnounces++;
      if (r === null) {
        reply(socket, encodeErrorReply(req.transactionId, new ProtocolError('NOT_AUTHORIZED').message), rinfo);
        return;
      }
      const peers = addrLen === 6 ? r.peers : (r.peers6 ?? Buffer.alloc(0));
      reply(socket, encodeAnnounceReply(req.transactionId, r.interval, r.incomplete, r.complete, peers), rinfo);
      return;
    }
    c.udpScrapes++;
    const rows = tracker.scrape(req.infoHashes).map((row) => row === null
      ? { seeders: 0, completed: 0, leechers: 0 }
      : { seeders: row.complete, completed: row.downloaded, leechers: row.incomplete });
    reply(socket, encodeScrapeReply(req.transactionId, rows), rinfo);
  }

  /** Whatever happens while answering one datagram stays with that datagram: this never throws. */
  return function handle(socket: UdpSender, msg: Buffer, rinfo: ReplyAddress): void {
    c.udpPackets++;
    try {
      answer(socket, msg, rinfo);
    } catch (err) {
      if (err instanceof ProtocolError && msg.length >= 16) {
        c.failure(err.code);
        reply(socket, encodeErrorReply(msg.readUInt32BE(12), err.message), rinfo);
        return;
      }
      c.udpErrors++;
      const now = clock.now();
      if (now - lastErrorLog > 60000) {
        lastErrorLog = now;
        try {
          log.error({ err, from: rinfo.address, bytes: msg.length }, 'udp packet failed (further errors within a minute are counted, not logged)');
        } catch {
          // a logger that cannot write must not turn one bad packet into a crash
        }
      }
    }
  };
}

/** One socket per listen address; '::' takes IPv4 too (mapped addresses are stored as IPv4). */
export function createUdpSocket(host: string, ipv6Only: boolean): dgram.Socket {
  const v6 = host.includes(':');
  return dgram.createSocket({
    type: v6 ? 'udp6' : 'udp4', ipv6Only, recvBufferSize: 4 * 1024 * 1024, sendBufferSize: 4 * 1024 * 1024,
    // replies go to the literal address a packet came from: answering the "lookup" synchronously spares
    // dns.lookup's deferred callback on every send
    lookup: literalLookup,
  });
}

function literalLookup(address: string, _opts: unknown, cb: (err: Error | null, address: string, family: number) => void): void {
  cb(null, address, address.includes(':') ? 6 : 4);
}
