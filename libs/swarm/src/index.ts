export { PeerTable } from './peer-table.js';
export {
  SwarmStore, counts, EVENT_NONE, EVENT_COMPLETED, EVENT_STARTED, EVENT_STOPPED,
  type AnnounceEvent, type AnnounceInput, type AnnounceOutput, type BinKey, type StoreOptions, type Torrent,
} from './swarm-store.js';
export { formatStateRow, parseState, type ParsedState, type StateRow } from './statedump.js';
export { writeCompact, readCompactIp, readCompactPort } from './compact-address.js';
