/** Tracker protocol codecs: pure functions over bytes and strings (no sockets, files, process or clock). */
export { binToHex, hexToBin, hexToKey, hexValue, key20At, KEY_BYTES, type BinKey } from './bin-key.js';
export { isProtocolError, PROTOCOL_ERROR_TEXTS, ProtocolError, type ProtocolErrorCode } from './errors.js';
export {
  decodeInto,
  decodeLatin1,
  nameHash,
  nameIs,
  nextParam,
  openQuery,
  parseQuery,
  parseUint64,
  rangeIs,
  valueBytes,
  valueKey20,
  valueLatin1,
  valueSignedOrNull,
  valueText,
  valueUint64,
  type QueryCursor,
} from './query.js';
export {
  EVENT_COMPLETED,
  EVENT_NONE,
  EVENT_STARTED,
  EVENT_STOPPED,
  LEFT_UNKNOWN,
  MAX_KEY_BYTES,
  parseAnnounceQuery,
  type AnnounceEvent,
  type AnnounceRequest,
} from './announce-request.js';
export { parseScrapeQuery, type ScrapeRequest } from './scrape-request.js';
export { formatTxtpLine, parseTxtp, type TxtpEntry, type TxtpLineError, type TxtpParseResult } from './txtp.js';
export {
  encodeAnnounce,
  encodeAnnounceDict,
  encodeAnnounceStopped,
  encodeFailure,
  encodeScrape,
  type AnnounceDictReply,
  type AnnounceReply,
  type DictPeer,
  type ScrapeExtra,
  type ScrapeFile,
  type StoppedReply,
} from './bencode-replies.js';
export {
  decodeUdpRequest,
  encodeAnnounceReply,
  encodeConnectReply,
  encodeErrorReply,
  encodeScrapeReply,
  UDP_ACTION_ANNOUNCE,
  UDP_ACTION_CONNECT,
  UDP_ACTION_ERROR,
  UDP_ACTION_SCRAPE,
  UDP_ANNOUNCE_MIN_BYTES,
  UDP_MAX_SCRAPE_HASHES,
  UDP_PROTOCOL_ID_HI,
  UDP_PROTOCOL_ID_LO,
  type UdpAnnounceRequest,
  type UdpConnectRequest,
  type UdpRequest,
  type UdpScrapeRequest,
  type UdpScrapeRow,
} from './udp.js';
export { createConnectionIds, MIN_SECRET_BYTES, type ConnectionIds } from './connection-id.js';
