import type http from 'node:http';
import { httpGet, type HttpGetOptions, type HttpReply } from './http-client.js';
import {
  announceUrl,
  hexBytes,
  parseAnnounce,
  parseScrape,
  pctEncode,
  peerId,
  scrapeUrl,
  type DecodedAnnounce,
  type ParamValue,
  type ScrapeCounts,
} from './tracker-urls.js';

/** Announce and scrape one-liners over HTTP that fail loudly on anything but a 200 bencoded reply. */

export interface AnnounceResult extends HttpReply {
  readonly reply: DecodedAnnounce;
}

/** A leecher announce from 127.0.0.1 unless params say otherwise; peer_id defaults to one derived from the port. */
export async function httpAnnounce(
  port: number,
  hashHex: string | null,
  params: Readonly<Record<string, ParamValue>>,
  headers: http.OutgoingHttpHeaders = {},
  opts: HttpGetOptions = {},
): Promise<AnnounceResult> {
  const full: Record<string, ParamValue> = { ...params };
  if (full['peer_id'] === undefined && full['port'] !== undefined) full['peer_id'] = peerId(`p${String(full['port'])}`);
  const res = await httpGet(port, announceUrl(hashHex, full), headers, opts);
  if (res.status !== 200) throw new Error(`announce: HTTP ${res.status}: ${res.body.toString('latin1').slice(0, 200)}`);
  return { ...res, reply: parseAnnounce(res.body) };
}

export async function httpScrape(
  port: number,
  hashesHex: readonly string[],
  opts: HttpGetOptions = {},
): Promise<Map<string, ScrapeCounts>> {
  const res = await httpGet(port, scrapeUrl(hashesHex), {}, opts);
  if (res.status !== 200) throw new Error(`scrape: HTTP ${res.status}: ${res.body.toString('latin1').slice(0, 200)}`);
  return parseScrape(res.body);
}

export async function scrapeOne(port: number, hashHex: string, opts: HttpGetOptions = {}): Promise<ScrapeCounts | undefined> {
  return (await httpScrape(port, [hashHex], opts)).get(hashHex.toLowerCase());
}

/**
 * One plain announce by URL (works against opentracker too), with fetch; returns the body as latin1 text.
 * `base` is `http://host:port`; the peer_id is `-ST0001-` + the first 12 characters of `peer`.
 */
export async function announceText(
  base: string,
  infoHashHex: string,
  q: { peer: string; port: number; left: number; event?: string },
): Promise<string> {
  const id = `-ST0001-${q.peer.padEnd(12, 'x').slice(0, 12)}`;
  const url =
    `${base}/announce?info_hash=${pctEncode(hexBytes(infoHashHex))}&peer_id=${encodeURIComponent(id)}&port=${q.port}` +
    `&uploaded=0&downloaded=0&left=${q.left}&compact=1${q.event ? `&event=${q.event}` : ''}`;
  let res: Response;
  try {
    res = await fetch(url);
  } catch {
    // opentracker answers HTTP/1.0 and closes; fetch may have picked a pooled socket it just closed. The
    // request did not reach the tracker, and a repeated completion from the same peer never counts twice.
    res = await fetch(url);
  }
  return Buffer.from(await res.arrayBuffer()).toString('latin1');
}
