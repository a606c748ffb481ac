export { PeerTable, tableStorage } from './peer-table.js';
export { SLAB_BYTES } from './slab-pool.js';
export {
  SwarmStore,
  counts,
  EVENT_NONE,
  EVENT_COMPLETED,
  EVENT_STARTED,
  EVENT_STOPPED,
  DEFAULT_MAX_COMPLETERS,
  MAX_COMPLETIONS_PER_ADDRESS,
  type AnnounceEvent,
  type AnnounceInput,
  type AnnounceOutput,
  type BinKey,
  type CompletionRefusals,
  type StoreOptions,
  type Torrent,
} from './swarm-store.js';
export { formatStateJournalLine, formatStateRow, parseState, type ParsedState, type StateRow } from './statedump.js';
export { writeCompact, readCompactIp, readCompactPort } from './compact-address.js';
export { CompletionRing } from './completion-ring.js';
export {
  formatJournalHeader,
  formatJournalLine,
  isJournalId,
  journalLastSeq,
  parseJournal,
  type JournalEntry,
  type ParsedJournal,
} from './journal-format.js';
