/**
 * The tracker's completion feed, `<stats path>?mode=completions&since=SEQ[&limit=N]`:
 * `{"journal":"<hex id>","first":F,"last":L,"entries":[[seq,timeMs,"<40 hex>"],...]}`.
 * Sequence numbers start at 1 with no gaps within one journal id; `first` is the lowest one the tracker
 * still has (older ones were compacted away), `last` the highest. Entries are those with seq > since,
 * ascending. A new journal id means the tracker lost its journal and started a new one.
 */
export interface CompletionEntry {
  readonly seq: number;
  readonly at: number;
  readonly infoHash: string;
}

export interface CompletionBatch {
  readonly journal: string;
  readonly first: number;
  readonly last: number;
  readonly entries: readonly CompletionEntry[];
}

export type FeedParse = { readonly ok: true; readonly batch: CompletionBatch } | { readonly ok: false; readonly error: string };

/** The feed's own maximum page; a longer reply is not the feed we know. */
export const FEED_MAX_ENTRIES = 10_000;
const JOURNAL_ID = /^[0-9a-f]{1,64}$/;
const HASH = /^[0-9a-f]{40}$/;
/** Completion times before 2000 or after 2200 are not real clocks. */
const MIN_TIME = 946_684_800_000;
const MAX_TIME = 7_258_118_400_000;

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Validates one feed page against the cursor it was asked with. Never throws. Anything off (a bad
 * field, entries out of order, a seq at or below `since`, a hole between entries) rejects the whole
 * page: partial acceptance could skip a completion for good.
 */
export function parseCompletionFeed(text: string, since: number): FeedParse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  if (!isObj(json)) return { ok: false, error: 'not a JSON object' };
  const { journal, first, last, entries } = json;
  if (typeof journal !== 'string' || !JOURNAL_ID.test(journal)) return { ok: false, error: 'journal is not a hex id' };
  if (!isCount(first) || !isCount(last)) return { ok: false, error: 'first/last are not counts' };
  if (first > last + 1) return { ok: false, error: `first ${first} is after last ${last} + 1` };
  if (!Array.isArray(entries)) return { ok: false, error: 'entries is not an array' };
  if (entries.length > FEED_MAX_ENTRIES) return { ok: false, error: `more than ${FEED_MAX_ENTRIES} entries` };
  const out: CompletionEntry[] = [];
  let expect = -1;
  for (let i = 0; i < entries.length; i++) {
    const e: unknown = entries[i];
    if (!Array.isArray(e) || e.length !== 3) return { ok: false, error: `entry ${i} is not [seq,timeMs,hash]` };
    const [seq, at, hash] = e as unknown[];
    if (!isCount(seq) || seq === 0) return { ok: false, error: `entry ${i}: bad seq` };
    if (!isCount(at) || at < MIN_TIME || at > MAX_TIME) return { ok: false, error: `entry ${i}: bad time` };
    if (typeof hash !== 'string' || !HASH.test(hash)) return { ok: false, error: `entry ${i}: bad info hash` };
    if (seq <= since) return { ok: false, error: `entry ${i}: seq ${seq} is not after since ${since}` };
    if (seq > last) return { ok: false, error: `entry ${i}: seq ${seq} is after last ${last}` };
    if (expect !== -1 && seq !== expect) return { ok: false, error: `entry ${i}: seq ${seq}, expected ${expect}` };
    expect = seq + 1;
    out.push({ seq, at, infoHash: hash });
  }
  return { ok: true, batch: { journal, first, last, entries: out } };
}

/** The feed URL for a cursor, built from the configured stats URL (same host, path and access). */
export function feedUrl(statsUrl: string, since: number, limit: number): string {
  const u = new URL(statsUrl);
  u.search = `?mode=completions&since=${since}&limit=${limit}`;
  return u.toString();
}
