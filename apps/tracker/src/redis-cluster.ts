import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import type { RedisOptions } from 'ioredis';
import type { Logger } from '../../../libs/common/src/log.js';
import type { CompletionJournal } from './completion-journal.js';
import {
  KIND_CHANGES, KIND_HELLO, addrString, decodeMessage, encodeKeyRecord, encodeMessages,
} from './redis-peer-wire.js';
import { SUBMIT_SCRIPT, clientKeyOf, addressKeyOf } from './redis-counts.js';
import type { StoreSpec } from './store-url.js';
import { decodeLists, encodeList, sameSet, union } from './redis-accesslist.js';
import type { AccessMode } from './config.js';
import type { Clock, ClusterStatus, CompletionEvent, CompletionLog, Tracker } from './tracker.js';

/**
 * Several tracker instances sharing swarms and download counts through one Redis, at in-memory speed:
 *
 * - every announce is answered from this process's memory, as with the memory store; nothing waits for Redis;
 * - peer changes (new, updated, stopped) are coalesced per peer and published in batches every `syncMs`
 *   on one pub/sub channel; the other instances merge them into their own swarms, so their replies and
 *   seeder/leecher counts include peers that announced elsewhere. A (re)connected instance sends all its own
 *   peers and a hello, which makes the others send theirs;
 * - completions are counted and journaled here first (the local journal, as with the memory store), then
 *   forwarded in batches to a Lua script that applies the cluster-wide limits (same client once, an address
 *   at most N times per torrent per window), increments the global count and appends to the global feed.
 *   Each batch carries this journal's id and seqs and the script remembers the highest seq applied, so a batch
 *   re-sent after a timeout or a restart is applied once. A completion counted here stays pending (and counted
 *   in this instance's figures) until Redis acknowledges it;
 * - every instance follows the global feed and shows global counts plus its own pending ones.
 *
 * Redis unreachable or stalled: commands time out, the instance logs once, reports `connected: false`, keeps
 * answering and counting from memory, and on return resyncs the counts and hands over what is pending.
 */
export interface ClusterOptions {
  readonly spec: Extract<StoreSpec, { kind: 'redis' }>;
  readonly prefix: string;
  readonly password: string | null;
  readonly completionWindowMs: number;
  readonly completionsPerAddress: number;
  /** Entries of the global feed kept in Redis and in memory for /stats?mode=completions. */
  readonly feedKeep: number;
  readonly peerTimeoutMs: number;
  readonly accessMode: AccessMode;
  /** Longest time between two announces of a live peer (interval + jitter). */
  readonly announceEveryMs: number;
  readonly syncMs?: number;
  readonly commandTimeoutMs?: number;
}

export interface ClusterDeps {
  readonly tracker: Tracker;
  readonly journal: CompletionJournal;
  readonly clock: Clock;
  readonly log: Logger;
  /** The list this instance last loaded from its file; null when none was loaded. */
  readonly fileList: () => ReadonlySet<string> | null;
}

export interface Cluster {
  status(): ClusterStatus;
  /** The list to apply after loading `file`: the union with the other instances' lists; `file` is shared next. */
  accessList(file: ReadonlySet<string>): ReadonlySet<string>;
  /** One last exchange (bounded in time), then disconnects. */
  close(): Promise<void>;
}

const BATCH = 500;
const FEED_PAGE = 1000;
/** Own peers remembered for snapshots, and changes waiting to be sent: caps against an announce flood. */
const MAX_LOCAL_PEERS = 1_000_000;
const MAX_OUTBOX = 200_000;
const MAX_KEYS = 200_000;
const ERROR_LOG_MS = 30_000;

export function startCluster(o: ClusterOptions, d: ClusterDeps): Cluster {
  const { tracker, journal, clock, log } = d;
  const syncMs = o.syncMs ?? 250;
  const P = o.prefix;
  const instanceBuf = crypto.randomBytes(8);
  const instance = instanceBuf.toString('hex');
  const channel = `${P}peers`;
  const redisOptions: RedisOptions = {
    host: o.spec.host,
    port: o.spec.port,
    db: o.spec.db,
    ...(o.spec.username !== null ? { username: o.spec.username } : {}),
    ...(o.password !== null ? { password: o.password } : {}),
    ...(o.spec.tls ? { tls: { servername: o.spec.host } } : {}),
    connectTimeout: 2000,
    commandTimeout: o.commandTimeoutMs ?? 1000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(100 * times, 1000),
    lazyConnect: false,
  };
  // loaded here, not imported at the top: ioredis adds ~15 MiB to the resident memory of a tracker that
  // runs on the memory store and never uses it
  const { Redis } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
  const r = new Redis(redisOptions);
  const sub = new Redis({ ...redisOptions, enableOfflineQueue: true, commandTimeout: undefined, maxRetriesPerRequest: null });

  // --- state
  let synced = false;
  /** null until the first exchange tells: then a start without Redis is logged as degraded too. */
  let connected: boolean | null = null;
  let degradedSince: number | null = clock.now();
  let lastSyncAt: number | null = null;
  let errors = 0;
  let lastErrorLog = -Infinity;
  let remoteChanges = 0;
  let clusterId: string | null = null;
  /** Last global feed seq applied to globalCounts. */
  let cursor = 0;
  /** Highest local journal seq Redis has acknowledged. */
  let acked = 0;
  const global = new Map<string, number>();
  const pending = new Map<string, number>();
  let pendingTotal = 0;
  /** Global feed entries held for /stats?mode=completions, ascending seq; trimmed to feedKeep. */
  let feed: Array<[number, number, string]> = [];
  /** Client and address keys of journaled completions not yet acknowledged, by local seq. */
  const keys = new Map<number, { c: string; a: string }>();
  let lastRecorded = -1;
  /** Journal entries up to here were counted before this start (state file or replay), not pending. */
  const startSeq = journal.lastSeq;
  /** Own peers: key -> time last sent * 4 + seeder flag. */
  const local = new Map<string, number>();
  /** Changes to send: key -> flags (1 seeder, 2 stopped). */
  let outbox = new Map<string, number>();
  // A re-announce that changes nothing is sent again only after refreshMs: the others keep the peer alive
  // meanwhile, since a peer sent at least every refreshMs + announceEveryMs <= peer timeout never expires there.
  // This is what keeps the steady state (mostly re-announces) off Redis.
  const refreshMs = Math.max(30_000, Math.floor((o.peerTimeoutMs - o.announceEveryMs) / 2));
  let sendSnapshot = true;
  let sendHello = true;
  let busy = false;
  let closed = false;
  /** Access lists: what the others stored, and whether ours must be stored (again). */
  const sharesList = o.accessMode !== 'open';
  let storeList: ReadonlySet<string> = new Set();
  let aclVersion: string | null = null;
  let aclDirty = sharesList && d.fileList() !== null;

  const minute = (): number => Math.floor(clock.now() / 60000);
  const toKey = (hex: string): string => Buffer.from(hex, 'hex').toString('latin1');
  const showCount = (hex: string): void => {
    tracker.store.setDownloaded(toKey(hex), (global.get(hex) ?? 0) + (pending.get(hex) ?? 0), minute());
  };
  const addPending = (hex: string, n: number): void => {
    const v = (pending.get(hex) ?? 0) + n;
    if (v <= 0) pending.delete(hex);
    else pending.set(hex, v);
    pendingTotal += n;
  };

  // --- completions: the journal stays the local record; the feed and status become the cluster's
  const localJournal = journal;
  const clusterLog: CompletionLog = {
    record(key, timeMs) {
      const before = localJournal.status();
      localJournal.record(key, timeMs);
      const after = localJournal.status();
      if (after.dropped !== before.dropped) return;
      lastRecorded = after.last + after.pending;
      addPending(Buffer.from(key, 'latin1').toString('hex'), 1);
    },
    entries(since, limit) {
      const out: Array<[number, number, string]> = [];
      let lo = 0;
      let hi = feed.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (feed[mid]![0] <= since) lo = mid + 1;
        else hi = mid;
      }
      for (let i = lo; i < feed.length && out.length < limit; i++) out.push(feed[i]!);
      return out;
    },
    status() {
      const j = localJournal.status();
      return {
        id: clusterId ?? 'cluster-not-synced',
        first: feed.length > 0 ? feed[0]![0] : cursor + 1,
        last: cursor,
        pending: pendingTotal,
        writeErrors: j.writeErrors,
        syncErrors: j.syncErrors,
        dropped: j.dropped,
      };
    },
  };
  tracker.completions = clusterLog;
  const logCompletion = tracker.onCompletion;
  tracker.onCompletion = (e: CompletionEvent) => {
    if (lastRecorded >= 0 && keys.size < MAX_KEYS) keys.set(lastRecorded, { c: clientKeyOf(e.addr, e.addrLen, e.peerId), a: addressKeyOf(e.addr, e.addrLen) });
    lastRecorded = -1;
    logCompletion?.(e);
  };

  // --- peers seen here go out in batches
  tracker.onAnnounced = (p, out) => {
    const k = p.infoHash + addrString(p.addr, p.addrLen);
    if (out.stopped) {
      local.delete(k);
      if (outbox.size < MAX_OUTBOX || outbox.has(k)) outbox.set(k, 2);
      return;
    }
    const flag = p.seeder ? 1 : 0;
    const now = clock.now();
    const prev = local.get(k);
    if (prev !== undefined && prev % 4 === flag && now - Math.floor(prev / 4) < refreshMs) return;
    if (prev !== undefined || local.size < MAX_LOCAL_PEERS) local.set(k, now * 4 + flag);
    if (outbox.size < MAX_OUTBOX || outbox.has(k)) outbox.set(k, flag);
  };

  sub.on('messageBuffer', (_ch: Buffer, msg: Buffer) => {
    const m = decodeMessage(msg);
    if (m === null || m.instance === instance) return;
    if (m.kind === KIND_HELLO) sendSnapshot = true;
    const now = minute();
    for (const c of m.changes) {
      if (!c.stopped && !tracker.policy.allows(c.infoHash)) continue;
      tracker.store.mergeRemote(c.infoHash, c.addr, 0, c.addr.length as 6 | 18, c.seeder, c.stopped, now);
      remoteChanges++;
    }
  });
  let subReadyOnce = false;
  sub.on('ready', () => {
    // after a reconnect of the subscription, changes published meanwhile were missed: ask for everyone's peers
    if (subReadyOnce) sendHello = true;
    subReadyOnce = true;
  });
  sub.subscribe(channel).catch((err: unknown) => noteError(err, 'redis subscribe failed'));
  r.on('error', (err) => noteError(err, 'redis connection error'));
  sub.on('error', (err) => noteError(err, 'redis subscriber connection error'));

  function noteError(err: unknown, msg: string): void {
    errors++;
    const now = clock.now();
    if (now - lastErrorLog < ERROR_LOG_MS) return;
    lastErrorLog = now;
    log.warn({ store: o.spec.display, err: err instanceof Error ? err.message : String(err), errors }, msg);
  }

  function setConnected(ok: boolean): void {
    if (ok === connected) return;
    connected = ok;
    if (ok) {
      log.info({ store: o.spec.display, instance, pendingCompletions: pendingTotal, degradedMs: degradedSince === null ? 0 : clock.now() - degradedSince }, 'redis store connected: swarms and counts shared');
      degradedSince = null;
    } else {
      degradedSince ??= clock.now();
      log.warn({ store: o.spec.display, instance }, 'redis store unreachable: answering from this instance\'s memory and counting locally until it returns');
    }
  }

  /** Full counts, cursor and feed from Redis; first instance ever seeds Redis with its own counts. */
  async function resync(): Promise<void> {
    let id = await r.get(`${P}journal`);
    if (id === null) {
      const fresh = crypto.randomBytes(8).toString('hex');
      if ((await r.set(`${P}journal`, fresh, 'NX')) === 'OK') {
        // a tracker moving from the memory store to Redis keeps its history: its counts become the start figures
        const m = r.multi();
        for (const [key, t] of tracker.store.torrents) if (t.downloaded > 0) m.hincrby(`${P}counts`, Buffer.from(key, 'latin1').toString('hex'), t.downloaded - (pending.get(Buffer.from(key, 'latin1').toString('hex')) ?? 0));
        // what is pending (counted since start, or since the last acknowledgement) is not in the seed: it is sent next
        m.set(`${P}ack:${localJournal.id}`, String(clusterId === null ? startSeq : acked));
        await m.exec();
        log.info({ store: o.spec.display, torrents: tracker.store.torrents.size }, 'redis store initialised with this tracker\'s download counts');
      }
      id = await r.get(`${P}journal`);
    }
    if (clusterId !== null && id !== clusterId) {
      // Redis lost its data (no persistence) and was re-seeded by some instance from the counts it had seen,
      // which include what we had handed over: keep our acknowledgement so that is not sent twice
      await r.set(`${P}ack:${localJournal.id}`, String(acked), 'NX');
      log.warn({ store: o.spec.display, was: clusterId, now: id }, 'redis store was reset: counts restarted from the figures the first instance back had');
    }
    const res = await r.multi()
      .hgetall(`${P}counts`)
      .get(`${P}seq`)
      .get(`${P}ack:${localJournal.id}`)
      .xrevrange(`${P}feed`, '+', '-', 'COUNT', o.feedKeep)
      .exec();
    if (res === null) throw new Error('redis transaction aborted');
    for (const [err] of res) if (err) throw err;
    const counts = res[0]![1] as Record<string, string>;
    const seq = Number(res[1]![1] ?? 0);
    const ack = Number(res[2]![1] ?? 0);
    const rev = res[3]![1] as Array<[string, string[]]>;
    // everything below is synchronous: no announce sees a half-applied view
    clusterId = id;
    const before = new Set([...global.keys(), ...pending.keys()]);
    global.clear();
    for (const [hex, n] of Object.entries(counts)) global.set(hex, Number(n));
    cursor = seq;
    acked = ack;
    pending.clear();
    pendingTotal = 0;
    for (const [s, , hex] of localJournal.entries(acked, Number.MAX_SAFE_INTEGER)) {
      if (s > acked) addPending(hex, 1);
    }
    for (const k of [...keys.keys()]) if (k <= acked) keys.delete(k);
    feed = rev.map(parseFeedEntry).filter((e): e is [number, number, string] => e !== null).reverse();
    for (const [key, t] of tracker.store.torrents) if (t.downloaded > 0) before.add(Buffer.from(key, 'latin1').toString('hex'));
    for (const hex of global.keys()) before.add(hex);
    for (const hex of pending.keys()) before.add(hex);
    for (const hex of before) showCount(hex);
    synced = true;
    sendSnapshot = true;
    sendHello = true;
  }

  async function exchange(): Promise<void> {
    // peers
    const sent = outbox;
    outbox = new Map();
    const msgs: Buffer[] = [];
    if (sendHello) msgs.push(...encodeMessages(KIND_HELLO, instanceBuf, []));
    if (sendSnapshot) {
      const horizon = clock.now() - o.peerTimeoutMs - refreshMs;
      const recs: Buffer[] = [];
      for (const [k, v] of local) {
        if (v / 4 < horizon) local.delete(k);
        else recs.push(encodeKeyRecord(k, v % 4));
      }
      for (const [k, v] of sent) if (v === 2) recs.push(encodeKeyRecord(k, v)); // stops
      msgs.push(...encodeMessages(KIND_CHANGES, instanceBuf, recs));
    } else if (sent.size > 0) {
      const recs: Buffer[] = [];
      for (const [k, v] of sent) recs.push(encodeKeyRecord(k, v));
      msgs.push(...encodeMessages(KIND_CHANGES, instanceBuf, recs));
    }
    if (msgs.length > 0) {
      try {
        const p = r.pipeline();
        for (const m of msgs) p.publish(channel, m);
        const res = await p.exec();
        for (const [err] of res ?? []) if (err) throw err;
        sendHello = false;
        sendSnapshot = false;
      } catch (err) {
        for (const [k, v] of sent) if (!outbox.has(k) && outbox.size < MAX_OUTBOX) outbox.set(k, v);
        throw err;
      }
    }

    // completions: forward a batch, then read the feed up to at least what the batch added
    const batch = localJournal.entries(acked, BATCH);
    let newAck = acked;
    if (batch.length > 0) {
      const args: string[] = [P, localJournal.id, String(o.completionWindowMs), String(o.completionsPerAddress), String(o.feedKeep), clusterId ?? ''];
      for (const [s, t, hex] of batch) {
        const k = keys.get(s);
        args.push(String(s), String(t), hex, k?.c ?? '', k?.a ?? '');
      }
      const res = await r.eval(SUBMIT_SCRIPT, 0, ...args) as [number, number];
      newAck = Number(res[0]);
      if (newAck < 0) {
        synced = false;
        return;
      }
    }
    const [jid, version] = await r.mget(`${P}journal`, `${P}acl:v`);
    if (jid !== clusterId) {
      // Redis was reset (or flushed): counts, feed and acknowledgements must be read again
      synced = false;
      return;
    }
    const fresh: Array<[number, number, string]> = [];
    let from = cursor;
    for (;;) {
      const page = await r.xrange(`${P}feed`, `(${from}-0`, '+', 'COUNT', FEED_PAGE);
      for (const e of page) {
        const p = parseFeedEntry(e);
        if (p !== null) fresh.push(p);
      }
      if (page.length < FEED_PAGE) break;
      from = Number(page[page.length - 1]![0].split('-')[0]);
    }
    if (fresh.length > 0 && fresh[0]![0] !== cursor + 1) {
      // the feed was trimmed past our cursor (a long absence): only a full resync gives exact counts
      synced = false;
      return;
    }
    // synchronous from here: global and pending change together, so no reply shows a completion twice or not at all
    const touched = new Set<string>();
    for (const e of fresh) {
      global.set(e[2], (global.get(e[2]) ?? 0) + 1);
      touched.add(e[2]);
      feed.push(e);
      cursor = e[0];
    }
    if (feed.length > 2 * o.feedKeep) feed = feed.slice(feed.length - o.feedKeep);
    for (const [s, , hex] of batch) {
      if (s > newAck || s <= acked) continue;
      addPending(hex, -1);
      keys.delete(s);
      touched.add(hex);
    }
    acked = Math.max(acked, newAck);
    for (const hex of touched) showCount(hex);
    if (sharesList) await exchangeAccessLists(version ?? null);
  }

  async function exchangeAccessLists(version: string | null): Promise<void> {
    const file = d.fileList();
    if (aclDirty && file !== null) {
      aclDirty = false;
      try {
        await r.multi().hset(`${P}acl`, localJournal.id, encodeList(file)).incr(`${P}acl:v`).exec();
      } catch (err) {
        aclDirty = true;
        throw err;
      }
      return; // the version moved: the next exchange reads every list, ours included
    }
    if (version === aclVersion) return;
    const all = await r.hgetall(`${P}acl`);
    aclVersion = version;
    // our own list is applied from the file directly, so a hash removed there goes at once, not an exchange later
    const next = decodeLists(Object.entries(all).filter(([k]) => k !== localJournal.id).map(([, v]) => v));
    if (sameSet(next, storeList)) return;
    storeList = next;
    const { dropped, delisted } = tracker.setAccessList(union(file ?? new Set(), storeList));
    log.info({ lists: Object.keys(all).length, hashes: storeList.size, applied: tracker.policy.size, delisted, peersDropped: dropped }, 'access list from the redis store applied');
  }

  let lastPrune = clock.now();
  async function tick(): Promise<void> {
    if (busy || closed) return;
    busy = true;
    try {
      if (clock.now() - lastPrune > 60_000) {
        lastPrune = clock.now();
        const horizon = lastPrune - o.peerTimeoutMs - refreshMs;
        for (const [k, v] of local) if (v / 4 < horizon) local.delete(k);
      }
      if (r.status !== 'ready') {
        setConnected(false);
        synced = false;
        return;
      }
      if (!synced) await resync();
      await exchange();
      lastSyncAt = clock.now();
      setConnected(true);
    } catch (err) {
      noteError(err, 'redis exchange failed');
      synced = false;
      setConnected(false);
    } finally {
      busy = false;
    }
  }

  const timer = setInterval(() => void tick(), syncMs);
  timer.unref();

  return {
    status() {
      return {
        store: o.spec.display,
        instance,
        connected: connected === true,
        degradedSince: degradedSince === null ? null : new Date(degradedSince).toISOString(),
        pendingCompletions: pendingTotal,
        lastSyncAt: lastSyncAt === null ? null : new Date(lastSyncAt).toISOString(),
        errors,
        remotePeerChanges: remoteChanges,
      };
    },
    accessList(file) {
      if (!sharesList) return file;
      aclDirty = true;
      return union(file, storeList);
    },
    async close() {
      clearInterval(timer);
      // one last hand-over of what is pending, unless an exchange is already running or Redis is away
      for (let i = 0; i < 20 && busy; i++) await new Promise((res) => setTimeout(res, 50));
      if (!busy && r.status === 'ready') {
        await tick();
      }
      closed = true;
      if (pendingTotal > 0) log.warn({ pendingCompletions: pendingTotal }, 'completions not yet in Redis stay in the local journal and are handed over at the next start');
      r.disconnect();
      sub.disconnect();
    },
  };
}

function parseFeedEntry(e: [string, string[]]): [number, number, string] | null {
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
