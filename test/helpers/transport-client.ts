import type { TrackerProcess } from './tracker-process.js';
import { httpTransport } from './transport-http.js';
import { udpTransport } from './transport-udp.js';

/**
 * One announce/scrape client per tracker transport, so a scenario that means the same over HTTP and over
 * UDP is written once and run for each. Each implementation checks its own wire framing (bencoded
 * dictionary, BEP 15 action and transaction id) before handing back transport-neutral values.
 */

export type TransportName = 'http' | 'udp';
export const TRANSPORTS: readonly TransportName[] = ['http', 'udp'];

export type AnnounceEvent = 'none' | 'completed' | 'started' | 'stopped';

export interface AnnounceArgs {
  readonly hash: string;
  /** The peer's port; the peer_id is derived from it unless `peer` is given. */
  readonly port: number;
  readonly left: bigint;
  readonly event?: AnnounceEvent;
  /** Omitted: HTTP sends no numwant, UDP sends -1 (its "default"). */
  readonly numwant?: number;
  /** Tag for the peer_id. */
  readonly peer?: string;
}

export interface AnnounceOutcome {
  readonly interval: number;
  readonly seeders: number;
  readonly leechers: number;
  /** "ip:port" IPv4 peers. */
  readonly peers: readonly string[];
  /** The downloaded count when the transport's reply carries one (HTTP; not on a stopped reply), else null. */
  readonly downloaded: number | null;
  readonly raw: Buffer;
}

export interface ScrapeRow {
  readonly seeders: number;
  readonly completed: number;
  readonly leechers: number;
}

export interface TransportClient {
  readonly name: TransportName;
  /** For bittorrent-tracker's Client. */
  readonly clientAnnounceUrl: string;
  /**
   * What bittorrent-tracker's Client must be given to announce as a leecher: over HTTP nothing (no `left`
   * means a leecher), over UDP a `left`, since the packet always carries one and 0 means a seeder.
   */
  readonly clientLeecherOpts: { left?: number };
  /** A successful announce; fails on a refusal. */
  announce(a: AnnounceArgs): Promise<AnnounceOutcome>;
  /** Many leecher announces at once (a keep-alive pool over HTTP, one connection id over UDP). */
  announceMany(list: readonly AnnounceArgs[]): Promise<void>;
  /** An announce that must be refused; resolves with the refusal text after checking its framing. */
  refusal(a: AnnounceArgs): Promise<string>;
  /** Scrape of listed hashes, one row per hash in order. */
  scrape(hashes: readonly string[]): Promise<ScrapeRow[]>;
  /** Asserts that the reply's wire form carries an empty peer list (not only that none parsed). */
  assertNoPeerBytes(o: AnnounceOutcome): void;
  /** The reply to a (non-stopped) announce carries the downloaded count: HTTP does, BEP 15 has no field for it. */
  readonly repliesCarryDownloaded: boolean;
}

export function transportClient(name: TransportName, tr: TrackerProcess): TransportClient {
  return name === 'http' ? httpTransport(tr.httpPort) : udpTransport(tr.udpPort);
}
