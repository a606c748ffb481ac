import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type net from 'node:net';
import type dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import type { Logger } from '../../../libs/common/src/log.js';
import { createIpMatcher, parseCidr } from '../../../libs/net/src/index.js';
import { binToHex, createConnectionIds, hexToKey } from '../../../libs/protocol/src/index.js';
import { readCompactIp } from '../../../libs/swarm/src/index.js';
import { checkAccessListFile } from './accesslist-source.js';
import { createAccessListReloader } from './accesslist-reload.js';
import type { TrackerConfig } from './config.js';
import { createHttpRoutes } from './http-routes.js';
import { createWireServer } from './http-wire.js';
import { checkStateFolderWritable, dropPrivileges } from './privileges.js';
import { openJournal, type JournalIo } from './completion-journal.js';
import { readStateFile, removeStaleTemps, renderState, writeStateFile } from './state-file.js';
import { Tracker, type Clock } from './tracker.js';
import { createUdpHandler, createUdpSocket } from './udp-server.js';
import { startClusterFromConfig } from './redis-start.js';
import type { Cluster } from './redis-cluster.js';

/**
 * A running tracker: the access list loaded, counts restored, sockets bound, timers going.
 * Order matters and fixes opentracker's start-up race: list first, then state, then sockets, so no
 * announce is refused for want of a list and no restored count is dropped for the same reason.
 */
export interface TrackerService {
  readonly tracker: Tracker;
  readonly addresses: ReadonlyArray<{ proto: 'tcp' | 'udp'; address: string; port: number }>;
  /**
   * Re-reads the access list (SIGHUP), one reload at a time. Keeps the old list if the file cannot be read, or if a
   * whitelist lost most of its hashes (until the same file is reloaded again).
   */
  reload(): Promise<void>;
  /**
   * Writes queued journal entries, then the state file if any count changed since the last write. True when
   * everything counted is on disk (journal and state file); false, with an error logged, when it is not.
   */
  flush(): boolean;
  /** Stops serving and flushes; resolves with flush()'s answer (false: the caller should exit non-zero). */
  close(): Promise<boolean>;
}

export interface ServiceDeps {
  readonly clock?: Clock;
  /** Secret for UDP connection ids; random per start by default. */
  readonly secret?: Buffer;
  /** File operations of the completion journal (tests simulate a full disk). */
  readonly journalIo?: JournalIo;
}

export async function startTracker(config: TrackerConfig, log: Logger, deps: ServiceDeps = {}): Promise<TrackerService> {
  const clock: Clock = deps.clock ?? { now: Date.now, random: Math.random };
  for (const note of config.notes) log.info(note);
  const tracker = new Tracker(config, clock);
  // opentracker's WANT_SYSLOGS completion line: one per counted download, the raw record behind every count
  tracker.onCompletion = (e) => log.info({
    infoHash: binToHex(e.infoHash),
    ip: readCompactIp(e.addr, 0, e.addrLen),
    peerId: e.peerId === null ? null : binToHex(e.peerId),
  }, 'completed');

  // with a Redis store, the lists other instances loaded from their files are added to this one's
  let cluster: Cluster | null = null;
  let fileList: ReadonlySet<string> | null = null;
  let listed: ReadonlySet<string> = new Set();
  const reloader = config.accessMode === 'open' || config.accessListPath === null ? null : createAccessListReloader({
    path: config.accessListPath, mode: config.accessMode, log,
    current: () => listed,
    apply: (hashes) => {
      listed = hashes;
      fileList = hashes;
      const { dropped, delisted } = tracker.setAccessList(cluster?.accessList(hashes) ?? hashes);
      if (delisted > 0) log.info({ delisted, peersDropped: dropped }, 'torrents left the access list: peers dropped, download counts kept');
    },
  });
  const reload = (): Promise<void> => reloader?.reload() ?? Promise.resolve();

  if (config.accessMode !== 'open' && config.accessListPath !== null) {
    checkAccessListFile(config.accessListPath);
    if (fs.existsSync(config.accessListPath)) await reload();
    else log.warn({ path: config.accessListPath, mode: config.accessMode }, 'access list file missing: starting with an empty list (closed mode refuses every torrent until it exists and SIGHUP is sent)');
  }

  const stale = removeStaleTemps(config.stateFile) + removeStaleTemps(config.journalFile);
  if (stale > 0) log.info({ removed: stale }, 'temp files of an interrupted state or journal write removed');
  const state = readStateFile(config.stateFile);
  if (state !== null) {
    const r = tracker.restore(state.rows.map((row) => ({ key: hexToKey(row.hex), baseMinute: row.baseMinute, downloaded: row.downloaded })));
    for (const b of state.bad.slice(0, 20)) log.warn({ file: config.stateFile, line: b.line, text: b.text }, 'state file line skipped');
    log.info({ file: config.stateFile, torrents: r.restored, skipped: r.skipped, badLines: state.bad.length }, 'download counts restored');
  }
  // the journal holds every completion acknowledged since the state file was written: add those on top
  const opened = openJournal({
    file: config.journalFile,
    keep: config.journalKeep,
    state: state?.journal ?? null,
    newId: () => crypto.randomBytes(8).toString('hex'),
    now: () => clock.now(),
    log,
    io: deps.journalIo,
  });
  const journal = opened.journal;
  for (const [hex, r] of opened.replay) tracker.replay(hexToKey(hex), r.count, Math.floor(r.lastMs / 60000));
  tracker.completions = journal;
  const js = journal.status();
  log.info({ file: config.journalFile, journal: js.id, first: js.first, last: js.last, replayed: opened.replayed }, 'completion journal opened');
  // a Redis store shares swarms and counts with other instances; answers still come from memory
  cluster = startClusterFromConfig(config, { tracker, journal, clock, log, fileList: () => fileList });

  const isStatsClient = createIpMatcher(config.statsCidrs.map(parseCidr));
  const isTrustedProxy = createIpMatcher(config.proxyCidrs.map(parseCidr));
  const route = createHttpRoutes(tracker, {
    statsPath: config.statsPath,
    redirectUrl: config.redirectUrl,
    maxUrlBytes: config.maxUrlBytes,
    scrapeMax: config.scrapeMax,
    numwantMax: config.numwantMax,
    closedMode: config.accessMode === 'whitelist',
    isStatsClient,
    isTrustedProxy,
    hasTrustedProxies: config.proxyCidrs.length > 0,
  }, clock, log);
  const udpHandler = createUdpHandler(tracker, createConnectionIds(deps.secret ?? crypto.randomBytes(32)), clock, log);

  const servers: Array<{ server: net.Server; closeAll(): void }> = [];
  const sockets: dgram.Socket[] = [];
  const addresses: Array<{ proto: 'tcp' | 'udp'; address: string; port: number }> = [];
  try {
    for (const l of config.tcp) {
      const wire = createWireServer(route, { ...config, isCapExempt: (ip) => isStatsClient(ip) || isTrustedProxy(ip) }, tracker, log);
      const server = wire.server;
      const listening = Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => { throw e; })]);
      server.listen({ host: l.host, port: l.port, ipv6Only: v6Only(l, config.tcp), backlog: 1024 });
      await listening;
      servers.push(wire);
      const a = server.address() as AddressInfo;
      addresses.push({ proto: 'tcp', address: a.address, port: a.port });
    }
    for (const l of config.udp) {
      const socket = createUdpSocket(l.host, v6Only(l, config.udp));
      socket.on('message', (msg, rinfo) => udpHandler(socket, msg, rinfo));
      // listen before binding: with a synchronous lookup, 'listening' fires inside bind()
      const bound = Promise.race([once(socket, 'listening'), once(socket, 'error').then(([e]) => { throw e; })]);
      socket.bind({ address: l.host, port: l.port });
      await bound;
      socket.on('error', (err) => log.error({ err }, 'udp socket error'));
      sockets.push(socket);
      const a = socket.address();
      addresses.push({ proto: 'udp', address: a.address, port: a.port });
    }
  } catch (err) {
    for (const s of servers) s.server.close();
    for (const s of sockets) s.close();
    throw err;
  }

  // like opentracker: bind (privileged ports too), then move into the root dir and drop to the user
  if (config.rootDir !== null) process.chdir(config.rootDir);
  if (config.user !== null) dropPrivileges(config.user, log);
  try {
    checkStateFolderWritable(config.stateFile, config.user);
    if (config.accessMode !== 'open' && config.accessListPath !== null) checkAccessListFile(config.accessListPath, config.user);
  } catch (err) {
    for (const s of servers) s.server.close();
    for (const s of sockets) s.close();
    throw err;
  }
  if (config.pidFile !== null) writePidFile(config.pidFile, log);
  // logged once the process is fully set up (user dropped, pid file written): whoever waits for it may use both
  for (const a of addresses) log.info(a, 'listening');

  let flushedCounts = -1;
  let flushedSeq = -1;
  let lastStateErrorLog = -Infinity;
  function flush(): boolean {
    // the state file may only claim a seq once every entry up to it is in the journal
    if (!journal.writePending()) return false;
    const seq = journal.lastSeq;
    if (tracker.store.countsGeneration === flushedCounts && seq === flushedSeq) return true;
    const generation = tracker.store.countsGeneration;
    try {
      writeStateFile(config.stateFile, renderState(tracker, { id: journal.id, seq }));
    } catch (err) {
      tracker.counters.stateWriteErrors++;
      const now = clock.now();
      if (now - lastStateErrorLog >= 60_000) {
        lastStateErrorLog = now;
        log.error({ err, file: config.stateFile, errors: tracker.counters.stateWriteErrors }, 'state file not written; counts stay in memory (and in the journal) and the next flush retries');
      }
      return false;
    }
    flushedCounts = generation;
    flushedSeq = seq;
    tracker.counters.stateWrittenAt = clock.now();
    journal.compact(seq);
    return true;
  }
  flush();

  let refusedLogged = 0;
  let fullLogged = 0;
  const flushTimer = setInterval(flush, config.flushIntervalSeconds * 1000);
  // fsync of the journal about once a second: a power loss loses at most that much, a crash nothing
  const syncTimer = setInterval(() => journal.sync(), 1000);
  const minuteTimer = setInterval(() => {
    const dropped = tracker.expire();
    if (dropped > 0) log.debug({ dropped }, 'peers expired');
    const refused = tracker.counters.refused - refusedLogged;
    if (refused > 0) log.info({ refused, total: tracker.counters.refused }, 'announces refused by the access list in the last minute');
    refusedLogged = tracker.counters.refused;
    const full = tracker.counters.torrentsFull - fullLogged;
    if (full > 0) log.warn({ refused: full, maxTorrents: config.maxTorrents }, 'announces of new torrents refused in the last minute: the tracker holds --max-torrents torrents');
    fullLogged = tracker.counters.torrentsFull;
  }, 60000);
  flushTimer.unref();
  syncTimer.unref();
  minuteTimer.unref();

  let closed = false;
  let closedResult = false;
  return {
    tracker,
    addresses,
    reload,
    flush,
    async close() {
      if (closed) return closedResult;
      closed = true;
      clearInterval(flushTimer);
      clearInterval(syncTimer);
      clearInterval(minuteTimer);
      for (const s of sockets) s.close();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => {
        s.server.close(() => resolve());
        s.closeAll();
      })));
      await cluster?.close();
      const stateOk = flush();
      const journalOk = journal.close();
      closedResult = stateOk && journalOk;
      if (config.pidFile !== null) removePidFile(config.pidFile);
      const st = journal.status();
      if (closedResult) {
        log.info({ file: config.stateFile, torrents: tracker.store.torrents.size, journal: st.id, seq: st.last }, 'tracker stopped; state flushed');
      } else {
        log.error({
          file: config.stateFile, journalFile: config.journalFile, stateWritten: stateOk, journalSynced: journalOk,
          unwritten: st.pending, lastError: st.lastError,
        }, 'tracker stopped WITHOUT flushing: counts since the last successful write are lost unless the journal holds them');
      }
      return closedResult;
    },
  };
}

function writePidFile(file: string, log: Logger): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${process.pid}\n`);
  } catch (err) {
    log.error({ err, file }, 'pid file not written: the publisher cannot signal this tracker (use its reload command instead)');
  }
}

function removePidFile(file: string): void {
  try {
    if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
  } catch {
    // already gone, or another tracker's: leave it
  }
}

/** '::' also takes IPv4 unless the same port is bound on an IPv4 address too (both would collide). */
function v6Only(l: { host: string; port: number }, all: ReadonlyArray<{ host: string; port: number }>): boolean {
  return l.host.includes(':') && all.some((o) => !o.host.includes(':') && o.port === l.port);
}
