/**
 * Client errors of the tracker protocols: one stable code per cause, each with the text a client sees
 * (as an HTTP `failure reason` or a UDP action-3 message). Texts of opentracker's two bencoded refusals
 * are kept byte-for-byte; the UDP mismatch text fixes opentracker's "missmatch" spelling and drops its NUL.
 */
export const PROTOCOL_ERROR_TEXTS = {
  MISSING_INFO_HASH: "Your client forgot to send your torrent's info_hash. Please upgrade your client.",
  BAD_INFO_HASH: 'info_hash must be 20 bytes',
  DUPLICATE_INFO_HASH: 'info_hash must be sent only once',
  BAD_PEER_ID: 'peer_id must be 20 bytes',
  BAD_PORT: 'port must be 1-65535',
  BAD_ADDRESS: 'the address this request came from cannot be used as a peer address',
  BAD_LEFT: 'left must be an unsigned 64-bit decimal integer',
  BAD_UPLOADED: 'uploaded must be an unsigned 64-bit decimal integer',
  BAD_DOWNLOADED: 'downloaded must be an unsigned 64-bit decimal integer',
  BAD_NUMWANT: 'numwant must be a decimal integer',
  BAD_COMPACT: 'compact must be a decimal number (0 or 1)',
  BAD_KEY: 'key must be at most 64 bytes',
  BAD_ESCAPE: 'malformed percent-encoding in the query string',
  BAD_HEX: 'info_hash must be 40 hexadecimal digits',
  TOO_MANY_REPEATS: 'a query parameter is repeated too many times',
  NOT_AUTHORIZED: 'Requested download is not authorized for use with this tracker.',
  NON_COMPACT_UNSUPPORTED: 'This tracker only sends compact peer lists; please announce with compact=1.',
  CONNECTION_ID_MISMATCH: 'Connection ID mismatch.',
} as const;

export type ProtocolErrorCode = keyof typeof PROTOCOL_ERROR_TEXTS;

/**
 * An expected, client-caused error. It never carries a stack trace: these are thrown for every bad
 * request a hostile client can send, and capturing a stack would cost more than parsing the request.
 */
export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;

  constructor(code: ProtocolErrorCode, message: string = PROTOCOL_ERROR_TEXTS[code]) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.code = code;
  }

  static {
    ProtocolError.prototype.name = 'ProtocolError';
  }
}

export function isProtocolError(err: unknown): err is ProtocolError {
  return err instanceof ProtocolError;
}
