import type { Redis } from 'ioredis';

/**
 * The cluster's global completion feed: a Redis stream with ids `seq-0` and fields `t` (time ms) and `h`
 * (hex info_hash), written by the submit script and followed by every instance.
 */
export type FeedEntry = [seq: number, timeMs: number, hex: string];

/** Stream entries read per XRANGE: bounds one reply after a long absence. */
const FEED_PAGE = 1000;

/** One stream entry, or null when it is not one the submit script wrote. */
export function parseFeedEntry(e: [string, string[]]): FeedEntry | null {
  const seq = Number(e[0].split('-')[0]);
  const f = e[1];
  let t = NaN;
  let h = '';
  for (let i = 0; i + 1 < f.length; i += 2) {
    if (f[i] === 't') t = Number(f[i + 1]);
    else if (f[i] === 'h') h = f[i + 1]!;
  }
  if (!Number.isSafeInteger(seq) || !Number.isFinite(t) || !/^[0-9a-f]{40}$/.test(h)) return null;
  return [seq, t, h];
}

/** Every feed entry after seq `cursor`, ascending, read page by page. */
export async function readFeedAfter(r: Redis, key: string, cursor: number): Promise<FeedEntry[]> {
  const fresh: FeedEntry[] = [];
  let from = cursor;
  for (;;) {
    const page = await r.xrange(key, `(${from}-0`, '+', 'COUNT', FEED_PAGE);
    for (const e of page) {
      const p = parseFeedEntry(e);
      if (p !== null) fresh.push(p);
    }
    if (page.length < FEED_PAGE) break;
    from = Number(page[page.length - 1]![0].split('-')[0]);
  }
  return fresh;
}

/** XREVRANGE entries (newest first) as an ascending feed. */
export function feedFromNewest(rev: Array<[string, string[]]>): FeedEntry[] {
  return rev
    .map(parseFeedEntry)
    .filter((e): e is FeedEntry => e !== null)
    .reverse();
}

/** Entries of an ascending feed with seq > since, at most `limit` (binary search for the start). */
export function entriesAfter(feed: readonly FeedEntry[], since: number, limit: number): FeedEntry[] {
  const out: FeedEntry[] = [];
  let lo = 0;
  let hi = feed.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (feed[mid]![0] <= since) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < feed.length && out.length < limit; i++) out.push(feed[i]!);
  return out;
}
