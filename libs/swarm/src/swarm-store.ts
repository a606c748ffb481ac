import { EVENT_COMPLETED, EVENT_NONE, EVENT_STARTED, EVENT_STOPPED, type AnnounceEvent } from '../../protocol/src/announce-event.js';
import type { BinKey } from '../../protocol/src/bin-key.js';
import { PeerTable } from './peer-table.js';

/**
 * Every torrent the tracker knows, keyed by its info_hash as a 20-char 'latin1' string.
 *
 * - `downloaded` counts completions: a peer that finishes (event=completed with left=0, a known leecher
 *   that comes back as a seeder, or a known leecher that stops with left=0), or whose first announce says
 *   left=0 with downloaded>0 (it fetched the data elsewhere, e.g. from the web seed). A peer whose first
 *   announce says left=0 and downloaded=0 (the publisher's own seeder) never counts.
 * - Abuse limits, per torrent and per completion window: the same client (IP + peer_id) counts once, and one
 *   address (an IPv4 address, or an IPv6 /64) counts at most `completionsPerAddress` times, whatever ports and
 *   peer_ids it uses. What is remembered for this is bounded by `maxCompleters` over all torrents; once that
 *   is full, completions from addresses not yet remembered are refused rather than evicting anyone.
 * - A torrent with downloads is kept while idle for `countOnlyTimeoutMinutes` (forever in closed mode); one
 *   with no peers and no downloads is dropped once idle for the peer timeout. At most `maxTorrents` torrents
 *   and `maxPeersPerTorrent` peers per torrent and family are held: a new torrent beyond the cap is refused,
 *   a new peer beyond it is answered but not stored.
 * - Time is in whole minutes and always passed in; nothing here reads a clock or a random source.
 */
export type { BinKey };
export { EVENT_COMPLETED, EVENT_NONE, EVENT_STARTED, EVENT_STOPPED, type AnnounceEvent };

export interface Torrent {
  v4: PeerTable | null;
  v6: PeerTable | null;
  downloaded: number;
  /** Minute of the last announce (or of loading it from the state file). */
  touched: number;
  /**
   * Completion dedupe, one Map (a Map costs ~170 bytes before its first entry) for two kinds of keys:
   * even keys, a hash of the client (IP + peer_id) -> minute it completed; odd keys, a hash of the IPv4 address
   * or IPv6 /64 -> window start minute * 16 + completions in that window. Insertion order is time order.
   * Only torrents with completions have one.
   */
  dedupe: Map<number, number> | null;
}

export interface AnnounceInput {
  readonly infoHash: BinKey;
  /** Compact address of the requester: 6 bytes (IPv4) or 18 bytes (IPv6), at `addrOff` in `addr`. */
  readonly addr: Uint8Array;
  readonly addrOff: number;
  readonly addrLen: 6 | 18;
  readonly seeder: boolean;
  /** Bytes the client says it downloaded (0 when not sent): left=0 with downloaded>0 on a first announce is a download. */
  readonly downloaded: number;
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
/** Completions per address are packed with the window start minute as start * 16 + count. */
const COUNT_BITS = 16;
export const MAX_COMPLETIONS_PER_ADDRESS = COUNT_BITS - 1;
/**
 * Default bound on remembered completers and addresses over all torrents: small-int Map entries cost ~30 bytes,
 * so ~16 MB at most: 262,144 downloads within one window.
 */
export const DEFAULT_MAX_COMPLETERS = 524288;

export interface StoreOptions {
  /** Peers not seen for this many minutes are dropped. */
  readonly peerTimeoutMinutes: number;
  /** A client that completed is not counted again for this many minutes; also the per-address window. */
  readonly completionWindowMinutes: number;
  /** Completions one address (IPv4, or IPv6 /64) adds per torrent per window (1-15); default 5. */
  readonly completionsPerAddress?: number;
  /** Torrents held at most; a new one beyond it is refused. Default: no cap (closed mode: the list is the cap). */
  readonly maxTorrents?: number;
  /** Peers per torrent and address family held at most. Default: no cap. */
  readonly maxPeersPerTorrent?: number;
  /** A torrent without peers but with downloads is dropped after this many idle minutes. Default: never. */
  readonly countOnlyTimeoutMinutes?: number;
  /** Completer and address entries remembered over all torrents. */
  readonly maxCompleters?: number;
}

/** Why completions were not counted, since start: for /stats and /metrics. */
export interface CompletionRefusals {
  /** The same client (IP + peer_id) again within the window. */
  duplicate: number;
  /** The address already added its allowance for this torrent within the window. */
  addressLimit: number;
  /** The dedupe memory is full and the address is not in it. */
  dedupeFull: number;
}

export class SwarmStore {
  readonly torrents = new Map<BinKey, Torrent>();
  private readonly opts: StoreOptions;
  private readonly perAddress: number;
  private readonly maxTorrents: number;
  private readonly maxPeers: number;
  private readonly countOnlyTimeout: number;
  private readonly maxCompleters: number;
  /** Entries in every torrent's completers and addresses maps. */
  dedupeEntries = 0;
  readonly refusals: CompletionRefusals = { duplicate: 0, addressLimit: 0, dedupeFull: 0 };
  /** New peers answered but not stored because their torrent was full. */
  peersNotStored = 0;
  /** Bumped whenever a download count changes or a counted torrent is dropped: the state file must be rewritten. */
  countsGeneration = 0;

  constructor(opts: StoreOptions) {
    this.opts = opts;
    this.perAddress = Math.min(MAX_COMPLETIONS_PER_ADDRESS, Math.max(1, opts.completionsPerAddress ?? 5));
    this.maxTorrents = opts.maxTorrents ?? Infinity;
    this.maxPeers = opts.maxPeersPerTorrent ?? Infinity;
    this.countOnlyTimeout = opts.countOnlyTimeoutMinutes ?? Infinity;
    this.maxCompleters = opts.maxCompleters ?? DEFAULT_MAX_COMPLETERS;
  }

  get(infoHash: BinKey): Torrent | undefined {
    return this.torrents.get(infoHash);
  }

  /**
   * Records an announce and picks peers for the reply. `random` is a number in [0, 1) used to choose where
   * in the swarm the returned run of peers starts.
   */
  announce(a: AnnounceInput, minute: number, random: number): AnnounceOutput | null {
    let t = this.torrents.get(a.infoHash);
    if (a.event === EVENT_STOPPED) return this.stop(t, a, minute);
    if (t === undefined) {
      if (this.torrents.size >= this.maxTorrents) return null;
      t = { v4: null, v6: null, downloaded: 0, touched: minute, dedupe: null };
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
      const completes = a.seeder && (a.event === EVENT_COMPLETED || a.downloaded > 0);
      if (completes) counted = this.countCompletion(t, a, minute);
      if (table.count < this.maxPeers) index = table.add(a.addr, a.addrOff, a.seeder, completes, minute);
      else this.peersNotStored++;
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
    return {
      complete,
      incomplete,
      downloaded: t.downloaded,
      peers,
      peers6,
      counted,
      renewAge,
      interval: 0,
      minInterval: 0,
      stopped: false,
    };
  }

  private stop(t: Torrent | undefined, a: AnnounceInput, minute: number): AnnounceOutput {
    if (t === undefined) {
      return {
        complete: 0,
        incomplete: 0,
        downloaded: 0,
        peers: EMPTY,
        peers6: null,
        counted: false,
        renewAge: -1,
        interval: 0,
        minInterval: 0,
        stopped: true,
      };
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
    return {
      complete: s.complete,
      incomplete: s.incomplete,
      downloaded: t.downloaded,
      peers: EMPTY,
      peers6: null,
      counted,
      renewAge: -1,
      interval: 0,
      minInterval: 0,
      stopped: true,
    };
  }

  private countCompletion(t: Torrent, a: AnnounceInput, minute: number): boolean {
    const window = this.opts.completionWindowMinutes;
    const clientKey = clientHash(a);
    const at = t.dedupe?.get(clientKey);
    if (at !== undefined && minute - at < window) {
      this.refusals.duplicate++;
      return false;
    }
    const addrKey = addressHash(a);
    const packed = t.dedupe?.get(addrKey);
    let start = minute;
    let n = 0;
    if (packed !== undefined) {
      start = Math.floor(packed / COUNT_BITS);
      n = packed % COUNT_BITS;
      if (minute - start >= window) {
        start = minute;
        n = 0;
      }
    }
    if (n >= this.perAddress) {
      this.refusals.addressLimit++;
      return false;
    }
    // new entries only while there is room: a flood of addresses must not push out the clients already remembered
    const added = (at === undefined ? 1 : 0) + (packed === undefined ? 1 : 0);
    if (added > 0 && this.dedupeEntries + added > this.maxCompleters) {
      this.refusals.dedupeFull++;
      return false;
    }
    this.dedupeEntries += added;
    if (t.dedupe === null) t.dedupe = new Map();
    // delete + set keeps the map in time order, which expire() relies on
    t.dedupe.delete(clientKey);
    t.dedupe.set(clientKey, minute);
    if (n === 0) t.dedupe.delete(addrKey);
    t.dedupe.set(addrKey, start * COUNT_BITS + n + 1);
    t.downloaded++;
    this.countsGeneration++;
    return true;
  }

  /** Restores a torrent's download count (state file, or another tracker's statedump). */
  restore(infoHash: BinKey, downloaded: number, minute: number): void {
    const t = this.torrents.get(infoHash);
    if (t) t.downloaded = Math.max(t.downloaded, downloaded);
    else this.torrents.set(infoHash, { v4: null, v6: null, downloaded, touched: minute, dedupe: null });
    this.countsGeneration++;
  }

  /** Adds journaled completions on top of the restored counts (replay at start). */
  replay(infoHash: BinKey, completions: number, minute: number): void {
    const t = this.torrents.get(infoHash);
    if (t) {
      t.downloaded += completions;
      t.touched = Math.max(t.touched, minute);
    } else {
      this.torrents.set(infoHash, { v4: null, v6: null, downloaded: completions, touched: minute, dedupe: null });
    }
    this.countsGeneration++;
  }

  /**
   * A peer another tracker instance saw (shared swarms): added, refreshed or removed without counting anything,
   * since counting happened where the peer announced. A remote seeder is marked as having completed, so it
   * does not count again if it next announces here. Caps apply as for local peers. False when not applied
   * (a new torrent beyond the torrent cap).
   */
  mergeRemote(
    infoHash: BinKey,
    addr: Uint8Array,
    addrOff: number,
    addrLen: 6 | 18,
    seeder: boolean,
    stopped: boolean,
    minute: number,
  ): boolean {
    let t = this.torrents.get(infoHash);
    if (stopped) {
      const table = t === undefined ? null : addrLen === 6 ? t.v4 : t.v6;
      if (table === null) return true;
      const i = table.find(addr, addrOff);
      if (i >= 0) table.remove(i);
      return true;
    }
    if (t === undefined) {
      if (this.torrents.size >= this.maxTorrents) return false;
      t = { v4: null, v6: null, downloaded: 0, touched: minute, dedupe: null };
      this.torrents.set(infoHash, t);
    }
    t.touched = minute;
    let table = addrLen === 6 ? t.v4 : t.v6;
    if (table === null) {
      table = new PeerTable(addrLen);
      if (addrLen === 6) t.v4 = table;
      else t.v6 = table;
    }
    const i = table.find(addr, addrOff);
    if (i >= 0) table.update(i, seeder, table.hasCompleted(i) || seeder, minute);
    else if (table.count < this.maxPeers) table.add(addr, addrOff, seeder, seeder, minute);
    else this.peersNotStored++;
    return true;
  }

  /** Sets a torrent's download count to a figure counted elsewhere (the cluster-wide count). */
  setDownloaded(infoHash: BinKey, downloaded: number, minute: number): void {
    const t = this.torrents.get(infoHash);
    if (t !== undefined) {
      if (t.downloaded === downloaded) return;
      t.downloaded = downloaded;
    } else {
      if (downloaded === 0) return;
      this.torrents.set(infoHash, { v4: null, v6: null, downloaded, touched: minute, dedupe: null });
    }
    this.countsGeneration++;
  }

  /** Drops every peer of a torrent (it left the whitelist) but keeps its download count. */
  dropPeers(infoHash: BinKey): number {
    const t = this.torrents.get(infoHash);
    if (!t) return 0;
    const n = (t.v4?.count ?? 0) + (t.v6?.count ?? 0);
    t.v4?.release();
    t.v6?.release();
    t.v4 = null;
    t.v6 = null;
    if (t.downloaded === 0) this.forget(infoHash, t);
    return n;
  }

  /** Expires peers and idle torrents; returns the number of peers dropped. */
  expire(minute: number): number {
    const minSeen = minute - this.opts.peerTimeoutMinutes;
    let dropped = 0;
    for (const [key, t] of this.torrents) {
      if (t.v4) {
        dropped += t.v4.expire(minSeen);
        if (t.v4.count === 0) {
          t.v4.release();
          t.v4 = null;
        }
      }
      if (t.v6) {
        dropped += t.v6.expire(minSeen);
        if (t.v6.count === 0) {
          t.v6.release();
          t.v6 = null;
        }
      }
      const window = this.opts.completionWindowMinutes;
      if (t.dedupe) {
        for (const [k, v] of t.dedupe) {
          const at = (k & 1) === 0 ? v : Math.floor(v / COUNT_BITS);
          if (minute - at < window) break; // insertion order is time order
          t.dedupe.delete(k);
          this.dedupeEntries--;
        }
        if (t.dedupe.size === 0) t.dedupe = null;
      }
      if (t.v4 === null && t.v6 === null) {
        if (t.downloaded === 0 ? t.touched < minSeen : minute - t.touched > this.countOnlyTimeout) this.forget(key, t);
      }
    }
    return dropped;
  }

  private forget(key: BinKey, t: Torrent): void {
    this.dedupeEntries -= t.dedupe?.size ?? 0;
    if (t.downloaded > 0) this.countsGeneration++;
    this.torrents.delete(key);
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
  return h & ~1; // even: a client key
}

/**
 * Who is behind a completion for the per-address limit: the IPv4 address, or the /64 of an IPv6 address
 * (one subscriber's LAN; anyone can pick among the 2^64 addresses in it). FNV-1a with different seeds per
 * family, folded to a small int so the Map key stays unboxed.
 */
function addressHash(a: AnnounceInput): number {
  const v6 = a.addrLen === 18;
  let h = v6 ? 0x6b43a9b5 : 0x811c9dc5;
  const end = a.addrOff + (v6 ? 8 : 4);
  for (let i = a.addrOff; i < end; i++) h = Math.imul(h ^ a.addr[i]!, 0x01000193);
  return h | 1; // odd: an address key
}

function pick(table: PeerTable, want: number, exclude: number, random: number): Buffer {
  const n = Math.min(want, table.count - (exclude >= 0 ? 1 : 0));
  if (n <= 0) return EMPTY;
  const out = Buffer.allocUnsafe(n * table.addrLen);
  table.select(out, 0, n, exclude, Math.floor(random * table.count));
  return out;
}
