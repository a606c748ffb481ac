/**
 * HTTP scrape query -> the info_hashes to report.
 *
 * Unlike opentracker (which repeats a duplicated info_hash as a duplicate dict key and truncates silently), duplicates are removed (so the reply is valid
 * bencode) and truncation is reported instead of silent. Every info_hash value is checked, including
 * the ones past the cap, so a bad request is never half-accepted. Other parameters are skipped.
 * A request without any info_hash is refused; a full scrape (no query at all) is the caller's decision.
 */
import type { BinKey } from './bin-key.js';
import { ProtocolError } from './errors.js';
import { nameIs, nextParam, openQuery, valueKey20 } from './query.js';

export interface ScrapeRequest {
  /** Distinct, in request order, at most `max`. */
  infoHashes: BinKey[];
  /** True when distinct hashes beyond `max` were dropped. */
  truncated: boolean;
}

/** Parse the raw query of a scrape (the part of req.url after '?'). Throws ProtocolError. */
export function parseScrapeQuery(rawQuery: string, max: number): ScrapeRequest {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`parseScrapeQuery: max must be a positive integer, got ${max}`);
  const c = openQuery(rawQuery);
  const infoHashes: BinKey[] = [];
  // Most scrapes carry one hash, so the set is only built when a second one shows up.
  let seen: Set<BinKey> | null = null;
  let truncated = false;
  while (nextParam(c)) {
    if (!nameIs(c, 'info_hash')) continue;
    const h = valueKey20(c, 'BAD_INFO_HASH');
    if (infoHashes.length === 0) {
      infoHashes.push(h);
      continue;
    }
    if (seen === null) seen = new Set(infoHashes);
    if (seen.has(h)) continue;
    seen.add(h);
    if (infoHashes.length < max) infoHashes.push(h);
    else truncated = true;
  }
  if (infoHashes.length === 0) throw new ProtocolError('MISSING_INFO_HASH');
  return { infoHashes, truncated };
}
