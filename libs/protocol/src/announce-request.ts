/**
 * HTTP announce query -> AnnounceRequest, in one pass over the raw query (see query.ts).
 *
 * Rules (BEP 3, BEP 23), and where they differ from opentracker's http_handle_announce (ot_http.c):
 * - info_hash: required, exactly 20 bytes, at most once (missing -> MISSING_INFO_HASH, whose text is
 *   opentracker's bencoded refusal).
 * - peer_id: optional; if present exactly 20 bytes.
 * - port: required, decimal 1-65535. opentracker stores a missing port as 0 and "-1" as 65535; we refuse both.
 * - left / uploaded / downloaded: unsigned decimal <= 2^64-1 (opentracker overflows a 32-bit int and
 *   treats garbage as "seeder"). uploaded/downloaded default to 0. A missing `left` means "leecher",
 *   like opentracker, and is reported as LEFT_UNKNOWN (-1) so that only an explicit left=0 is a seeder.
 * - event: started/completed/stopped; paused, empty and unknown values mean "none" (harmless, and
 *   what opentracker does), so clients with new event names keep working.
 * - numwant: signed decimal; a negative value means "not given" (null). Capping is the caller's job.
 * - compact: default true, a decimal number, 0 -> false (the caller may serve a dictionary list or
 *   refuse with NON_COMPACT_UNSUPPORTED).
 * - no_peer_id: present and not "0" -> true. key: optional, at most 64 bytes.
 * - ip: ignored on purpose; the peer address is always the connection's.
 * - Any other parameter is skipped without looking at its value. A repeated scalar parameter: last wins.
 */
import type { BinKey } from './bin-key.js';
import { ProtocolError } from './errors.js';
import {
  nameHash,
  nextParam,
  openQuery,
  rangeIs,
  valueKey20,
  valueLatin1,
  valueSignedOrNull,
  valueText,
  valueUint64,
  type QueryCursor,
} from './query.js';

import { EVENT_COMPLETED, EVENT_NONE, EVENT_STARTED, EVENT_STOPPED, type AnnounceEvent } from './announce-event.js';

export { EVENT_COMPLETED, EVENT_NONE, EVENT_STARTED, EVENT_STOPPED, type AnnounceEvent };

/** `left` when the client did not send it: a leecher of unknown progress. */
export const LEFT_UNKNOWN = -1;

/** Longest `key` value accepted, in bytes (clients send 4-8 hex digits). */
export const MAX_KEY_BYTES = 64;

export interface AnnounceRequest {
  infoHash: BinKey;
  peerId: BinKey | null;
  port: number;
  /** Bytes left; approximate above 2^53 (only === 0 matters). LEFT_UNKNOWN when not sent. */
  left: number;
  uploaded: number;
  downloaded: number;
  event: AnnounceEvent;
  /** null = not given or negative: use the default. Not capped here. */
  numwant: number | null;
  compact: boolean;
  noPeerId: boolean;
  key: string | null;
}

const P_UNKNOWN = 0;
const P_INFO_HASH = 1;
const P_PEER_ID = 2;
const P_PORT = 3;
const P_LEFT = 4;
const P_UPLOADED = 5;
const P_DOWNLOADED = 6;
const P_EVENT = 7;
const P_NUMWANT = 8;
const P_COMPACT = 9;
const P_NO_PEER_ID = 10;
const P_KEY = 11;

const NAME_IDS: ReadonlyMap<string, number> = new Map([
  ['info_hash', P_INFO_HASH],
  ['peer_id', P_PEER_ID],
  ['port', P_PORT],
  ['left', P_LEFT],
  ['uploaded', P_UPLOADED],
  ['downloaded', P_DOWNLOADED],
  ['event', P_EVENT],
  ['numwant', P_NUMWANT],
  ['compact', P_COMPACT],
  ['no_peer_id', P_NO_PEER_ID],
  ['key', P_KEY],
]);

const H_INFO_HASH = nameHash('info_hash');
const H_PEER_ID = nameHash('peer_id');
const H_PORT = nameHash('port');
const H_LEFT = nameHash('left');
const H_UPLOADED = nameHash('uploaded');
const H_DOWNLOADED = nameHash('downloaded');
const H_EVENT = nameHash('event');
const H_NUMWANT = nameHash('numwant');
const H_COMPACT = nameHash('compact');
const H_NO_PEER_ID = nameHash('no_peer_id');
const H_KEY = nameHash('key');

/** Which known parameter this is: dispatch on the hash taken while scanning, then one in-place compare. */
function paramId(c: QueryCursor): number {
  if (c.decodedName !== null) return NAME_IDS.get(c.decodedName) ?? P_UNKNOWN;
  let id: number;
  let name: string;
  switch (c.nameHash) {
    case H_INFO_HASH:
      id = P_INFO_HASH;
      name = 'info_hash';
      break;
    case H_PEER_ID:
      id = P_PEER_ID;
      name = 'peer_id';
      break;
    case H_PORT:
      id = P_PORT;
      name = 'port';
      break;
    case H_LEFT:
      id = P_LEFT;
      name = 'left';
      break;
    case H_UPLOADED:
      id = P_UPLOADED;
      name = 'uploaded';
      break;
    case H_DOWNLOADED:
      id = P_DOWNLOADED;
      name = 'downloaded';
      break;
    case H_EVENT:
      id = P_EVENT;
      name = 'event';
      break;
    case H_NUMWANT:
      id = P_NUMWANT;
      name = 'numwant';
      break;
    case H_COMPACT:
      id = P_COMPACT;
      name = 'compact';
      break;
    case H_NO_PEER_ID:
      id = P_NO_PEER_ID;
      name = 'no_peer_id';
      break;
    case H_KEY:
      id = P_KEY;
      name = 'key';
      break;
    default:
      return P_UNKNOWN;
  }
  return c.nameEnd - c.nameStart === name.length && rangeIs(c.query, c.nameStart, name) ? id : P_UNKNOWN;
}

function parseEvent(c: QueryCursor): AnnounceEvent {
  const q = c.query;
  const s = c.valueStart;
  // In place first: clients send these unescaped, and this saves a string per announce.
  switch (c.valueEnd - s) {
    case 7:
      if (rangeIs(q, s, 'started')) return EVENT_STARTED;
      if (rangeIs(q, s, 'stopped')) return EVENT_STOPPED;
      break;
    case 9:
      if (rangeIs(q, s, 'completed')) return EVENT_COMPLETED;
      break;
  }
  switch (valueText(c, 16)) {
    case 'started':
      return EVENT_STARTED;
    case 'completed':
      return EVENT_COMPLETED;
    case 'stopped':
      return EVENT_STOPPED;
    default:
      return EVENT_NONE;
  }
}

/** Parse the raw query of an announce (the part of req.url after '?'). Throws ProtocolError. */
export function parseAnnounceQuery(rawQuery: string): AnnounceRequest {
  const c = openQuery(rawQuery);
  let infoHash: BinKey | null = null;
  let peerId: BinKey | null = null;
  let port = -1;
  let left = LEFT_UNKNOWN;
  let uploaded = 0;
  let downloaded = 0;
  let event: AnnounceEvent = EVENT_NONE;
  let numwant: number | null = null;
  let compact = true;
  let noPeerId = false;
  let key: string | null = null;

  while (nextParam(c)) {
    switch (paramId(c)) {
      case P_INFO_HASH:
        if (infoHash !== null) throw new ProtocolError('DUPLICATE_INFO_HASH');
        infoHash = valueKey20(c, 'BAD_INFO_HASH');
        break;
      case P_PEER_ID:
        peerId = valueKey20(c, 'BAD_PEER_ID');
        break;
      case P_PORT: {
        const v = valueUint64(c, 'BAD_PORT');
        if (v < 1 || v > 65535) throw new ProtocolError('BAD_PORT');
        port = v;
        break;
      }
      case P_LEFT:
        left = valueUint64(c, 'BAD_LEFT');
        break;
      case P_UPLOADED:
        uploaded = valueUint64(c, 'BAD_UPLOADED');
        break;
      case P_DOWNLOADED:
        downloaded = valueUint64(c, 'BAD_DOWNLOADED');
        break;
      case P_EVENT:
        event = parseEvent(c);
        break;
      case P_NUMWANT:
        numwant = valueSignedOrNull(c, 'BAD_NUMWANT');
        break;
      case P_COMPACT:
        compact = valueUint64(c, 'BAD_COMPACT') !== 0;
        break;
      case P_NO_PEER_ID:
        noPeerId = !(c.valueEnd - c.valueStart === 1 && c.query.charCodeAt(c.valueStart) === 0x30) && valueText(c, 16) !== '0';
        break;
      case P_KEY:
        key = valueLatin1(c, MAX_KEY_BYTES, 'BAD_KEY');
        break;
      default:
        break;
    }
  }
  if (infoHash === null) throw new ProtocolError('MISSING_INFO_HASH');
  if (port < 0) throw new ProtocolError('BAD_PORT');
  return { infoHash, peerId, port, left, uploaded, downloaded, event, numwant, compact, noPeerId, key };
}
