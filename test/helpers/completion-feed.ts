import assert from 'node:assert/strict';
import { httpGet } from './http-client.js';

/** The tracker's completion feed (/stats?mode=completions) as JSON: entries are [seq, time ms, info_hash hex]. */
export interface CompletionFeed {
  journal: string;
  first: number;
  last: number;
  entries: Array<[number, number, string]>;
}

/** Reads the feed with this query; it must answer 200 with JSON. */
export async function readCompletionFeed(port: number, query = 'since=0'): Promise<CompletionFeed> {
  const r = await httpGet(port, `/stats?mode=completions&${query}`);
  assert.equal(r.status, 200, r.body.toString());
  assert.match(String(r.headers['content-type']), /^application\/json/);
  return JSON.parse(r.body.toString()) as CompletionFeed;
}
