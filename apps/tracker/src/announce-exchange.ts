import type { AnnounceEvent, BinKey, ProtocolErrorCode } from '../../../libs/protocol/src/index.js';
import { writeCompact, type AnnounceOutput } from '../../../libs/swarm/src/index.js';
import type { AnnounceCounters } from './counters.js';
import type { Tracker } from './tracker.js';

/**
 * One announce, whichever transport carried it: HTTP (http-announce.ts) and BEP 15 (udp-server.ts) each parse
 * their own format, hand the fields and the client's address here, and encode what comes back. Here: the
 * checks every transport needs (a port of 1-65535 and an address the swarm can store: a peer the tracker
 * cannot hand out must not be stored), the transport's own cap on the peer list, the tracker's answer, and
 * the counting. A failure is answered, never dropped or logged: the client sees why (a BEP 3 `failure
 * reason`, a BEP 15 action-3 error), /stats counts it by code.
 *
 * Nothing here allocates beyond the tracker's reply: the compact address is written into one buffer that
 * every call reuses, and a failure is its code (a string constant), not an object.
 */

/** The announce fields both transports parse (an HTTP query, a BEP 15 packet). */
export interface AnnounceFields {
  readonly infoHash: BinKey;
  readonly peerId: BinKey | null;
  readonly port: number;
  /** Bytes left; only 0 (a seeder) matters. */
  readonly left: number;
  readonly downloaded: number;
  readonly event: AnnounceEvent;
}

/** What a transport's reply can carry. */
export interface TransportPolicy {
  /** Most peers one reply can carry for an IPv4 / an IPv6 announcer; Infinity: only the tracker's numwantMax applies. */
  readonly numwantCapV4: number;
  readonly numwantCapV6: number;
  /** The reply carries peers of both families (HTTP), or only the announcer's (a BEP 15 reply has one address size). */
  readonly bothFamilies: boolean;
  /** The counter of announces the tracker answered (a reply or a refusal) over this transport. */
  readonly counter: 'tcpAnnounces' | 'udpAnnounces';
}

/**
 * Why an announce got no peer list: refused by the access list or the torrent cap (NOT_AUTHORIZED, counted by
 * the tracker), or not usable (BAD_PORT, BAD_ADDRESS: counted as failures by code).
 */
export type AnnounceFailure = Extract<ProtocolErrorCode, 'NOT_AUTHORIZED' | 'BAD_PORT' | 'BAD_ADDRESS'>;

/** The tracker's reply, or the failure the client is told. */
export type AnnounceResult = AnnounceOutput | AnnounceFailure;

export interface AnnounceExchange {
  /** `numwant`: null when not asked for; `ip`: the announcer's address (text form, as the socket or a trusted proxy gives it). */
  announce(fields: AnnounceFields, numwant: number | null, ip: string): AnnounceResult;
  /** The peers of the announcer's own family in the reply `announce` just returned (a BEP 15 reply carries one family). */
  ownFamilyPeers(reply: AnnounceOutput): Buffer;
}

const EMPTY = Buffer.alloc(0);

export function createAnnounceExchange(
  tracker: Pick<Tracker, 'announce'>,
  counters: AnnounceCounters,
  policy: TransportPolicy,
): AnnounceExchange {
  const addr = Buffer.alloc(18);
  let lastAddrLen: 6 | 18 = 6;

  function fail(code: AnnounceFailure): AnnounceFailure {
    counters.failure(code);
    return code;
  }

  return {
    announce(f, numwant, ip) {
      const port = f.port;
      if (!Number.isInteger(port) || port < 1 || port > 65535) return fail('BAD_PORT');
      const addrLen = writeCompact(ip, port, addr);
      if (addrLen === 0) return fail('BAD_ADDRESS');
      lastAddrLen = addrLen;
      const reply = tracker.announce({
        infoHash: f.infoHash,
        addr,
        addrLen,
        seeder: f.left === 0,
        downloaded: f.downloaded,
        event: f.event,
        peerId: f.peerId,
        numwant,
        numwantCap: addrLen === 6 ? policy.numwantCapV4 : policy.numwantCapV6,
        bothFamilies: policy.bothFamilies,
      });
      counters[policy.counter]++;
      return reply ?? 'NOT_AUTHORIZED';
    },
    ownFamilyPeers(reply) {
      return lastAddrLen === 6 ? reply.peers : (reply.peers6 ?? EMPTY);
    },
  };
}
