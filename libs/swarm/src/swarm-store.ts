import { PeerTable } from './peer-table.js';

/**
 * Every torrent the tracker knows, keyed by its info_hash as a 20-char 'latin1' string.
 *
 * - `downloaded` counts completions: a peer that finishes (event=completed with left=0, a known leecher
 *   that comes back as a seeder, or a known leecher that stops with left=0) counts once. The same client (IP + peer_id) finishing again within the
 *   completion window — after a stop and start, say — does not count again. A peer that starts as a seeder
 *   (the original uploader) never counts.
 * - A torrent with downloads is never forgotten (opentracker drops it after 24 h idle); one with no peers and
 *   no downloads is dropped once idle for the peer timeout.
 * - Time is in whole minutes and always passed in; nothing here reads a clock or a random source.
 */
export type BinKey = string;

export const EVENT_NONE = 0;
export const EVENT_COMPLETED = 1;
export const EVENT_STARTED = 2;
export const EVENT_STOPPED = 3;
export type AnnounceEvent = 0 | 1 | 2 | 3;

export interface Torrent {
  v4: PeerTable | null;
  v6: PeerTable | null;
  downloaded: number;
  /** Minute of the last announce (or of loading it from the state file). */
  touched: number;
  /** Completion dedupe: 32-bit hash of the client key -> minute it completed. Only torrents with completions have one. */
  completers: Map<number, number> | null;
}

export interface AnnounceInput {
  readonly infoHash: BinKey;
  /** Compact address of the requester: 6 bytes (IPv4) or 18 bytes (IPv6), at `addrOff` in `addr`. */
  readonly addr: Uint8Array;
  readonly addrOff: number;
  readonly addrLen: 6 | 18;
  readonly seeder: boolean;
  readonly event: AnnounceEvent;
  /** The client's peer_id (20-char latin1), or null; with the IP it identifies the client for completion dedupe. */
  readonly peerId: string | null;
  readonly numwant: number;
  /** Also return peers of the other family (HTTP can carry both; a UDP reply only one). */
  readonly bothFamilies: boolean;
}

/** One object per announce, built once with every field (no spreads on the hot path). */
export interface AnnounceOutput {
  complete: number;
  incomplete: number;
  downloaded: number;
  /** Compact IPv4 peers; empty Buffer when none. */
  peers: Buffer;
  /** Compact IPv6 peers, or null when the reply carries none. */
  peers6: Buffer | null;
  /** This announce counted a new completion. */
  counted: boolean;
  /** Minutes since this peer's previous announce, or -1 for a new peer. */
  renewAge: number;
  /** Filled in by the tracker. */
  interval: number;
  minInterval: number;
  stopped: boolean;
}

const EMPTY = Buffer.alloc(0);
/**
 * Bound on remembered completers per torrent, so a flood of fake completions cannot grow memory: small-int
 * keys cost ~30 bytes each, so 340 releases under attack hold ~20 MB at most. A real release completes far
 * fewer than this many times within the window.
 */
const MAX_COMPLETERS = 2048;

export interface StoreOptions {
  /** Peers not seen for this many minutes are dropped. */
  readonly peerTimeoutMinutes: number;
  /** A client that completed is not counted again for this many minutes. */
  readonly completionWindowMinutes: number;
}

export class SwarmStore {
  readonly torrents = new Map<BinKey, Torrent>();
  private readonly opts: StoreOptions;

  constructor(opts: StoreOptions) {
    this.opts = opts;
  }

  get(infoHash: BinKey): Torrent | undefined {
    return this.torrents.get(infoHash);
  }

  /**
   * Records an announce and picks peers for the reply. `random` is a number in [0, 1) used to choose where
   * in the swarm the returned run of peers starts.
   */
  announce(a: AnnounceInput, minute: number, random: number): AnnounceOutput {
    let t = this.torrents.get(a.infoHash);
    if (a.event === EVENT_STOPPED) return this.stop(t, a, minute);
    if (t === undefined) {
      t = { v4: null, v6: null, downloaded: 0, touched: minute, completers: null };
      this.torrents.set(a.infoHash, t);
    }
    t.touched = minute;
    let table = a.addrLen === 6 ? t.v4 : t.v6;
    if (table === null) {
      table = new PeerTable(a.addrLen);
      if (a.addrLen === 6) t.v4 = table;
      else t.v6 = table;
    }

    let index = table.find(a.addr, a.addrOff);
    let renewAge = -1;
    let counted = false;
    if (index < 0) {
      const completes = a.event === EVENT_COMPLETED && a.seeder;
      if (completes) counted = this.countCompletion(t, a, minute);
      index = table.add(a.addr, a.addrOff, a.seeder, completes, minute);
    } else {
      renewAge = minute - table.lastSeen(index);
      const wasDone = table.hasCompleted(index);
      const completes = a.seeder && !wasDone && (a.event === EVENT_COMPLETED || !table.isSeeder(index));
      if (completes) counted = this.countCompletion(t, a, minute);
      table.update(index, a.seeder, wasDone || completes, minute);
    }

    const other = a.addrLen === 6 ? t.v6 : t.v4;
    const complete = table.seeders + (other ? other.seeders : 0);
    const incomplete = table.count + (other ? other.count : 0) - complete;

    let peers: Buffer = EMPTY;
    let peers6: Buffer | null = null;
    const want = a.numwant;
    if (want > 0) {
      const own = pick(table, want, index, random);
      const rest = want - own.length / table.addrLen;
      const fromOther = a.bothFamilies && other !== null && rest > 0 ? pick(other, rest, -1, random) : EMPTY;
      if (a.addrLen === 6) {
        peers = own;
        peers6 = fromOther.length > 0 ? fromOther : null;
      } else {
        peers6 = own;
        peers = fromOther;
      }
    }
    return { complete, incomplete, downloaded: t.downloaded, peers, peers6, counted, renewAge, interval: 0, minInterval: 0, stopped: false };
  }

  private stop(t: Torrent | undefined, a: AnnounceInput, minute: number): AnnounceOutput {
    if (t === undefined) {
      return { complete: 0, incomplete: 0, downloaded: 0, peers: EMPTY, peers6: null, counted: false, renewAge: -1, interval: 0, minInterval: 0, stopped: true };
    }
    t.touched = minute;
    const table = a.addrLen === 6 ? t.v4 : t.v6;
    let counted = false;
    if (table !== null) {
      const i = table.find(a.addr, a.addrOff);
      if (i >= 0) {
        // a leecher that stops with nothing left finished its download; some clients (aria2c with
        // --seed-time=0) send only `stopped`, never `completed`
        if (a.seeder && !table.isSeeder(i) && !table.hasCompleted(i)) counted = this.countCompletion(t, a, minute);
        table.remove(i);
      }
    }
    const s = counts(t);
    return { complete: s.complete, incomplete: s.incomplete, downloaded: t.downloaded, peers: EMPTY, peers6: null, counted, renewAge: -1, interval: 0, minInterval: 0, stopped: true };
  }

  private countCompletion(t: Torrent, a: AnnounceInput, minute: number): boolean {
    if (t.completers === null) t.completers = new Map();
    const clientKey = clientHash(a);
    const at = t.completers.get(clientKey);
    if (at !== undefined && minute - at < this.opts.completionWindowMinutes) return false;
    if (t.completers.size >= MAX_COMPLETERS) {
      const oldest = t.completers.keys().next();
      if (!oldest.done) t.completers.delete(oldest.value);
    }
    t.completers.delete(clientKey);
    t.completers.set(clientKey, minute);
    t.downloaded++;
    return true;
  }

  /** Restores a torrent's download count (state file, or another tracker's statedump). */
  restore(infoHash: BinKey, downloaded: number, minute: number): void {
    const t = this.torrents.get(infoHash);
    if (t) t.downloaded = Math.max(t.downloaded, downloaded);
    else this.torrents.set(infoHash, { v4: null, v6: null, downloaded, touched: minute, completers: null });
  }

  /** Drops every peer of a torrent (it left the whitelist) but keeps its download count. */
  dropPeers(infoHash: BinKey): number {
    const t = this.torrents.get(infoHash);
    if (!t) return 0;
    const n = (t.v4?.count ?? 0) + (t.v6?.count ?? 0);
    t.v4 = null;
    t.v6 = null;
    if (t.downloaded === 0) this.torrents.delete(infoHash);
    return n;
  }

  /** Expires peers and idle torrents; returns the number of peers dropped. */
  expire(minute: number): number {
    const minSeen = minute - this.opts.peerTimeoutMinutes;
    let dropped = 0;
    for (const [key, t] of this.torrents) {
      if (t.v4) {
        dropped += t.v4.expire(minSeen);
        if (t.v4.count === 0) t.v4 = null;
      }
      if (t.v6) {
        dropped += t.v6.expire(minSeen);
        if (t.v6.count === 0) t.v6 = null;
      }
      if (t.completers) {
        for (const [k, at] of t.completers) {
          if (minute - at >= this.opts.completionWindowMinutes) t.completers.delete(k);
          else break; // insertion order is completion order
        }
        if (t.completers.size === 0) t.completers = null;
      }
      if (t.v4 === null && t.v6 === null && t.downloaded === 0 && t.touched < minSeen) this.torrents.delete(key);
    }
    return dropped;
  }
}

export function counts(t: Torrent): { complete: number; incomplete: number; peers: number } {
  const peers = (t.v4?.count ?? 0) + (t.v6?.count ?? 0);
  const complete = (t.v4?.seeders ?? 0) + (t.v6?.seeders ?? 0);
  return { complete, incomplete: peers - complete, peers };
}

/**
 * Who a client is, for completion dedupe: its IP plus its peer_id, so a restart on a new port is the same
 * client and two clients behind one NAT are not; without a peer_id the port stands in. Hashed to 32 bits
 * (FNV-1a): a collision only makes two clients share one completion window, once in billions. Computed only
 * when a completion is about to count, never on a plain re-announce.
 */
function clientHash(a: AnnounceInput): number {
  let h = 0x811c9dc5;
  const ipEnd = a.addrOff + a.addrLen - 2;
  for (let i = a.addrOff; i < ipEnd; i++) h = Math.imul(h ^ a.addr[i]!, 0x01000193);
  if (a.peerId === null) {
    for (let i = ipEnd; i < ipEnd + 2; i++) h = Math.imul(h ^ a.addr[i]!, 0x01000193);
  } else {
    for (let i = 0; i < a.peerId.length; i++) h = Math.imul(h ^ a.peerId.charCodeAt(i), 0x01000193);
  }
  return h >>> 0;
}

function pick(table: PeerTable, want: number, exclude: number, random: number): Buffer {
  const n = Math.min(want, table.count - (exclude >= 0 ? 1 : 0));
  if (n <= 0) return EMPTY;
  const out = Buffer.allocUnsafe(n * table.addrLen);
  table.select(out, 0, n, exclude, Math.floor(random * table.count));
  return out;
}
