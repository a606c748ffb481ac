import type { Logger } from '../../../libs/common/src/log.js';
import {
  PROTOCOL_ERROR_TEXTS,
  ProtocolError,
  decodeUdpRequest,
  encodeAnnounceReply,
  encodeConnectReply,
  encodeErrorReply,
  encodeScrapeReply,
  type createConnectionIds,
} from '../../../libs/protocol/src/index.js';
import { createAnnounceExchange, type TransportPolicy } from './announce-exchange.js';
import type { AnnounceCounters, UdpCounters } from './counters.js';
import { createErrorLog } from './error-log.js';
import type { Clock, Tracker } from './tracker.js';

/**
 * BEP 15 on a UDP socket (udp-endpoint.ts). Malformed packets are dropped (counted), never answered with more than a short
 * error, and never reach the swarm. A refused torrent gets an action-3 error with the same text as HTTP,
 * where opentracker sends a bare 8-byte header that clients cannot explain to their users.
 */
export type ConnectionIds = ReturnType<typeof createConnectionIds>;

/**
 * Peers that fit one reply in a 1,500-byte MTU: 20 + 200 × 6 and 20 + 66 × 18 bytes; a reply has one address
 * size, so it carries the announcer's family only.
 */
const UDP_POLICY: TransportPolicy = { numwantCapV4: 200, numwantCapV6: 66, bothFamilies: false, counter: 'udpAnnounces' };
const MISMATCH = 'Connection ID mismatch.';

/** The part of the tracker the BEP 15 handler uses. */
export type UdpTracker = Pick<Tracker, 'announce' | 'scrape'> & { readonly counters: UdpCounters & AnnounceCounters };

/** What a reply needs of a UDP socket (udp-endpoint.ts; a fake in tests). A send may throw: callers count it. */
export interface UdpSender {
  send(msg: Buffer, port: number, address: string, callback?: (err: Error | null) => void): void;
}

export interface ReplyAddress {
  readonly address: string;
  readonly port: number;
}

/**
 * One send in this many asks the endpoint for its outcome. On libuv's handle (udp-handle-endpoint.ts) a send
 * the kernel refuses throws, so every failure is counted anyway. node:dgram, the fallback, reports a failed
 * send (EPERM from a firewall, ENOBUFS, an unreachable network) only to a send that passes a callback, and a
 * callback costs a deferred call per packet (measured: ~1.5 of ~25 µs per announce); send failures come in
 * runs (a full buffer, a firewall rule, a route that went away), so a sample shows them.
 */
export const SEND_OUTCOME_SAMPLE = 64;

/**
 * Sends one reply and never throws. A datagram's source is chosen by the sender: a raw socket can claim
 * port 0, which dgram refuses by throwing (ERR_SOCKET_BAD_PORT) — from inside an error handler that took
 * the whole process down. Such a destination is dropped and counted; a send that throws (socket closed,
 * address family mismatch) is counted as a send error, and so is a sampled send that fails later
 * (udpSendErrors counts those failures: one send in SEND_OUTCOME_SAMPLE is sampled).
 */
export function createReplySender(c: UdpCounters): (socket: UdpSender, buf: Buffer, to: ReplyAddress) => void {
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

export function createUdpHandler(tracker: UdpTracker, ids: ConnectionIds, clock: Clock, log: Logger) {
  const c = tracker.counters;
  const exchange = createAnnounceExchange(tracker, c, UDP_POLICY);
  const reply = createReplySender(c);
  const logError = createErrorLog(log, () => clock.now());

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
      const r = exchange.announce(req, req.numWant, ip);
      if (typeof r === 'string') {
        reply(socket, encodeErrorReply(req.transactionId, PROTOCOL_ERROR_TEXTS[r]), rinfo);
        return;
      }
      reply(socket, encodeAnnounceReply(req.transactionId, r.interval, r.incomplete, r.complete, exchange.ownFamilyPeers(r)), rinfo);
      return;
    }
    c.udpScrapes++;
    const rows = tracker
      .scrape(req.infoHashes)
      .map((row) =>
        row === null
          ? { seeders: 0, completed: 0, leechers: 0 }
          : { seeders: row.complete, completed: row.downloaded, leechers: row.incomplete },
      );
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
      logError(err, 'udp packet failed', { from: rinfo.address, bytes: msg.length });
    }
  };
}
