import { createAccessPolicy, type AccessMode, type AccessPolicy } from '../../../libs/accesslist/src/index.js';
import { EVENT_STOPPED, SwarmStore, counts, type AnnounceEvent, type AnnounceOutput, type BinKey } from '../../../libs/swarm/src/index.js';
import { Counters } from './counters.js';

/**
 * The tracker without its sockets: access policy + swarm store + counters + timing.
 * The HTTP and UDP servers decode a request, call announce()/scrape() and encode what comes back.
 * Time and randomness come in through `clock`, so tests can move the clock and fix the jitter.
 */
export interface TrackerSettings {
  readonly accessMode: AccessMode;
  readonly intervalSeconds: number;
  readonly intervalJitterSeconds: number;
  readonly peerTimeoutSeconds: number;
  readonly completionWindowSeconds: number;
  readonly numwantDefault: number;
  readonly numwantMax: number;
  /** Completions one address (IPv4, IPv6 /64) adds per torrent per completion window. Default 5. */
  readonly completionsPerAddress?: number;
  /** Entries remembered for the completion limits over all torrents (two per download in the window). */
  readonly maxCompleters?: number;
  /** Open and blacklist mode only: most torrents held, and how long one with only a count is kept idle. */
  readonly maxTorrents?: number;
  readonly torrentIdleTimeoutSeconds?: number;
  readonly maxPeersPerTorrent?: number;
}

/**
 * The completion journal as the tracker sees it: counted completions go in synchronously, before the announce
 * is answered; the feed (/stats?mode=completions) reads entries back by seq.
 */
export interface CompletionLog {
  record(infoHash: BinKey, timeMs: number): void;
  /** [seq, timeMs, hex info_hash] with seq > since, ascending, at most limit. */
  entries(since: number, limit: number): Array<[number, number, string]>;
  status(): CompletionLogStatus;
}

/** What /stats, /metrics and /health report of the completion log. */
export interface CompletionLogStatus {
  readonly id: string;
  /** Lowest seq still served. */
  readonly first: number;
  /** Highest seq written to the file. */
  readonly last: number;
  /** Completions counted but not yet written (disk full or unwritable). */
  readonly pending: number;
  readonly writeErrors: number;
  readonly syncErrors: number;
  /** Completions counted in memory that got no seq because the queue of unwritten ones was full. */
  readonly dropped: number;
}

export interface ClusterStatus {
  readonly store: string;
  readonly instance: string;
  /** Redis is reachable and the last exchange succeeded: peers and counts are shared. */
  readonly connected: boolean;
  readonly degradedSince: string | null;
  /** Completions counted here that Redis has not acknowledged yet. */
  readonly pendingCompletions: number;
  readonly lastSyncAt: string | null;
  readonly errors: number;
  readonly remotePeerChanges: number;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Uniform in [0, 1). */
  random(): number;
}

export interface PeerAnnounce {
  readonly infoHash: BinKey;
  readonly addr: Uint8Array;
  readonly addrLen: 6 | 18;
  readonly seeder: boolean;
  /** Bytes the client reports as downloaded (0 when not sent). */
  readonly downloaded: number;
  readonly event: AnnounceEvent;
  readonly peerId: string | null;
  /** null: the client did not ask (or asked for a negative number): the default applies. */
  readonly numwant: number | null;
  /** Cap for this transport (UDP over IPv6 must fit its reply in one datagram); Infinity: numwantMax alone. */
  readonly numwantCap: number;
  readonly bothFamilies: boolean;
}

export interface ScrapeRow {
  readonly infoHash: BinKey;
  readonly complete: number;
  readonly downloaded: number;
  readonly incomplete: number;
}

export interface CompletionEvent {
  readonly infoHash: BinKey;
  readonly addr: Uint8Array;
  readonly addrLen: 6 | 18;
  readonly peerId: string | null;
}

export class Tracker {
  readonly store: SwarmStore;
  readonly counters: Counters;
  private policyValue: AccessPolicy;
  private readonly settings: TrackerSettings;
  private readonly clock: Clock;
  /** Bumped on every change a state flush must see. */
  generation = 0;
  onCompletion: ((e: CompletionEvent) => void) | null = null;
  /** The completion journal, once the service has opened it. */
  completions: CompletionLog | null = null;
  /** Sees every answered announce (shared swarms: the peer change goes to the other instances). */
  onAnnounced: ((p: PeerAnnounce, out: AnnounceOutput) => void) | null = null;
  /** The shared store's health, for /stats and /metrics; null with the memory store. */
  cluster: { status(): ClusterStatus } | null = null;

  constructor(settings: TrackerSettings, clock: Clock) {
    this.settings = settings;
    this.clock = clock;
    // closed mode: the access list bounds the torrents, and counts are the publisher's history, kept forever
    const open = settings.accessMode !== 'whitelist';
    this.store = new SwarmStore({
      peerTimeoutMinutes: Math.ceil(settings.peerTimeoutSeconds / 60),
      completionWindowMinutes: Math.ceil(settings.completionWindowSeconds / 60),
      completionsPerAddress: settings.completionsPerAddress,
      maxCompleters: settings.maxCompleters,
      maxTorrents: open ? settings.maxTorrents : undefined,
      countOnlyTimeoutMinutes:
        open && settings.torrentIdleTimeoutSeconds !== undefined ? Math.ceil(settings.torrentIdleTimeoutSeconds / 60) : undefined,
      maxPeersPerTorrent: settings.maxPeersPerTorrent,
    });
    this.counters = new Counters(clock.now());
    // closed mode refuses everything until the list is loaded: main loads it before opening any socket
    this.policyValue = createAccessPolicy(settings.accessMode, new Set());
  }

  get policy(): AccessPolicy {
    return this.policyValue;
  }

  minute(): number {
    return Math.floor(this.clock.now() / 60000);
  }

  /** Swaps in a new list atomically; torrents that left it lose their peers but keep their counts. */
  setAccessList(hashes: ReadonlySet<string>): { dropped: number; delisted: number } {
    this.policyValue = createAccessPolicy(this.settings.accessMode, hashes);
    this.counters.accessListSize = this.policyValue.size;
    this.counters.accessListReloads++;
    this.counters.accessListLoadedAt = this.clock.now();
    let dropped = 0;
    let delisted = 0;
    for (const key of [...this.store.torrents.keys()]) {
      if (this.policyValue.allows(key)) continue;
      delisted++;
      dropped += this.store.dropPeers(key);
    }
    this.generation++;
    return { dropped, delisted };
  }

  /** Returns null when the access list refuses the torrent. A de-listed torrent still takes its peers' stops. */
  announce(p: PeerAnnounce): AnnounceOutput | null {
    if (!this.policyValue.allows(p.infoHash) && p.event !== EVENT_STOPPED) {
      this.counters.refused++;
      return null;
    }
    const want = Math.min(p.numwant ?? this.settings.numwantDefault, p.numwantCap, this.settings.numwantMax);
    const now = this.clock.now();
    const out = this.store.announce(
      {
        infoHash: p.infoHash,
        addr: p.addr,
        addrOff: 0,
        addrLen: p.addrLen,
        seeder: p.seeder,
        downloaded: p.downloaded,
        event: p.event,
        peerId: p.peerId,
        numwant: want,
        bothFamilies: p.bothFamilies,
      },
      Math.floor(now / 60000),
      this.clock.random(),
    );
    if (out === null) {
      // open mode at its torrent cap: refused like an unlisted torrent, counted apart
      this.counters.torrentsFull++;
      return null;
    }
    if (out.counted) {
      this.counters.completed++;
      this.generation++;
      this.completions?.record(p.infoHash, now);
      this.onCompletion?.({ infoHash: p.infoHash, addr: p.addr, addrLen: p.addrLen, peerId: p.peerId });
    }
    this.counters.renewed(out.renewAge);
    this.onAnnounced?.(p, out);
    out.interval = this.interval();
    out.minInterval = Math.floor(out.interval / 2);
    return out;
  }

  /**
   * Known torrents report their counts. Unknown ones: zeros when the access list allows them (a new release
   * nobody has announced yet), omitted otherwise (UDP callers zero-fill those, as BEP 15 needs a row each).
   */
  scrape(hashes: readonly BinKey[]): Array<ScrapeRow | null> {
    return hashes.map((infoHash) => {
      const t = this.store.get(infoHash);
      if (t !== undefined) {
        const c = counts(t);
        return { infoHash, complete: c.complete, downloaded: t.downloaded, incomplete: c.incomplete };
      }
      if (this.policyValue.mode === 'whitelist' && this.policyValue.allows(infoHash)) {
        return { infoHash, complete: 0, downloaded: 0, incomplete: 0 };
      }
      return null;
    });
  }

  /** Every torrent in memory, sorted by info_hash (full scrape, tpbs). */
  allRows(): ScrapeRow[] {
    const rows: ScrapeRow[] = [];
    for (const [infoHash, t] of this.store.torrents) {
      const c = counts(t);
      rows.push({ infoHash, complete: c.complete, downloaded: t.downloaded, incomplete: c.incomplete });
    }
    rows.sort((a, b) => (a.infoHash < b.infoHash ? -1 : a.infoHash > b.infoHash ? 1 : 0));
    return rows;
  }

  /** opentracker's interval: 30 min ± 3 min by default, drawn per reply so re-announces spread out. */
  interval(): number {
    const { intervalSeconds: base, intervalJitterSeconds: j } = this.settings;
    return base - j + Math.floor(this.clock.random() * (2 * j + 1));
  }

  expire(): number {
    const dropped = this.store.expire(this.minute());
    if (dropped > 0) this.generation++;
    return dropped;
  }

  /** Adds completions read back from the journal (those the state file does not include yet). */
  replay(key: BinKey, completions: number, minute: number): void {
    this.store.replay(key, completions, minute);
    this.generation++;
  }

  /** Loads counts from a state file or a statedump; the access list must already be in place. */
  restore(rows: ReadonlyArray<{ key: BinKey; baseMinute: number; downloaded: number }>): { restored: number; skipped: number } {
    let restored = 0;
    let skipped = 0;
    for (const r of rows) {
      // counts of de-listed releases are kept too: they are history, and re-listing brings them back
      if (r.downloaded === 0 && !this.policyValue.allows(r.key)) {
        skipped++;
        continue;
      }
      this.store.restore(r.key, r.downloaded, r.baseMinute);
      restored++;
    }
    return { restored, skipped };
  }
}
