import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../../../libs/common/src/log.js';
import { createIpMatcher, parseCidr } from '../../../libs/net/src/index.js';
import { binToHex, createConnectionIds } from '../../../libs/protocol/src/index.js';
import { readCompactIp } from '../../../libs/swarm/src/index.js';
import { checkAccessListFile } from './accesslist-source.js';
import { createAccessListReloader } from './accesslist-reload.js';
import type { CompletionJournal, JournalIo } from './completion-journal.js';
import type { TrackerConfig } from './config.js';
import { createHttpRoutes } from './http-routes.js';
import { checkStateFolderWritable, dropPrivileges } from './privileges.js';
import { createStateFlusher } from './state-flush.js';
import { bindListeners, type Listeners } from './tracker-listeners.js';
import { restoreCounts } from './tracker-restore.js';
import { Tracker, type Clock } from './tracker.js';
import { createUdpHandler } from './udp-server.js';
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
  tracker.onCompletion = (e) =>
    log.info(
      {
        infoHash: binToHex(e.infoHash),
        ip: readCompactIp(e.addr, 0, e.addrLen),
        peerId: e.peerId === null ? null : binToHex(e.peerId),
      },
      'completed',
    );

  // with a Redis store, the lists other instances loaded from their files are added to this one's
  let cluster: Cluster | null = null;
  const access = await loadAccessList(config, tracker, () => cluster, log);
  const journal = restoreCounts(tracker, config, clock, log, deps.journalIo);
  // a Redis store shares swarms and counts with other instances; answers still come from memory
  // loaded only then: the Redis modules (and ioredis) cost an idle memory-store tracker several MiB of RSS
  if (config.store.kind === 'redis') {
    const { startClusterFromConfig } = await import('./redis-start.js');
    cluster = startClusterFromConfig(config, { tracker, journal, clock, log, fileList: access.fileList });
  }

  const listeners = await listen(config, tracker, clock, log, deps.secret);
  // like opentracker: bind (privileged ports too), then move into the root dir and drop to the user
  if (config.rootDir !== null) process.chdir(config.rootDir);
  if (config.user !== null) dropPrivileges(config.user, log);
  try {
    checkStateFolderWritable(config.stateFile, config.user);
    if (config.accessMode !== 'open' && config.accessListPath !== null) checkAccessListFile(config.accessListPath, config.user);
  } catch (err) {
    listeners.closeNow();
    throw err;
  }
  if (config.pidFile !== null) writePidFile(config.pidFile, log);
  // logged once the process is fully set up (user dropped, pid file written): whoever waits for it may use both
  for (const a of listeners.addresses) log.info(a, 'listening');

  const flush = createStateFlusher(tracker, journal, config.stateFile, clock, log);
  flush();
  const stopTimers = startTimers(config, tracker, journal, flush, log);
  let closing: Promise<boolean> | null = null;
  return {
    tracker,
    addresses: listeners.addresses,
    reload: access.reload,
    flush,
    close() {
      closing ??= (async () => {
        stopTimers();
        await listeners.close();
        await cluster?.close();
        return stopped(config, tracker, journal, flush(), log);
      })();
      return closing;
    },
  };
}

/**
 * Loads the access list (a missing file is a warning: closed mode then refuses everything until it exists and
 * SIGHUP is sent) and returns its reload, one at a time, and the list read from the file (null before).
 */
async function loadAccessList(
  config: TrackerConfig,
  tracker: Tracker,
  cluster: () => Cluster | null,
  log: Logger,
): Promise<{ reload(): Promise<void>; fileList(): ReadonlySet<string> | null }> {
  let fileList: ReadonlySet<string> | null = null;
  let listed: ReadonlySet<string> = new Set();
  const reloader =
    config.accessMode === 'open' || config.accessListPath === null
      ? null
      : createAccessListReloader({
          path: config.accessListPath,
          mode: config.accessMode,
          log,
          current: () => listed,
          apply: (hashes) => {
            listed = hashes;
            fileList = hashes;
            const { dropped, delisted } = tracker.setAccessList(cluster()?.accessList(hashes) ?? hashes);
            if (delisted > 0)
              log.info({ delisted, peersDropped: dropped }, 'torrents left the access list: peers dropped, download counts kept');
          },
        });
  const reload = (): Promise<void> => reloader?.reload() ?? Promise.resolve();
  if (config.accessMode !== 'open' && config.accessListPath !== null) {
    checkAccessListFile(config.accessListPath);
    if (fs.existsSync(config.accessListPath)) await reload();
    else {
      log.warn(
        { path: config.accessListPath, mode: config.accessMode },
        'access list file missing: starting with an empty list (closed mode refuses every torrent until it exists and SIGHUP is sent)',
      );
    }
  }
  return { reload, fileList: () => fileList };
}

/** The HTTP routes and the UDP handler, bound to every listen address. */
function listen(config: TrackerConfig, tracker: Tracker, clock: Clock, log: Logger, secret: Buffer | undefined): Promise<Listeners> {
  const statsCidrs = config.statsCidrs.map(parseCidr);
  const proxyCidrs = config.proxyCidrs.map(parseCidr);
  const isStatsClient = createIpMatcher(statsCidrs);
  const isTrustedProxy = createIpMatcher(proxyCidrs);
  // stats clients and proxies are exempt from the per-address cap: one matcher, so a connection's address is parsed once
  const isCapExempt = createIpMatcher([...statsCidrs, ...proxyCidrs]);
  const route = createHttpRoutes(
    tracker,
    {
      statsPath: config.statsPath,
      redirectUrl: config.redirectUrl,
      scrapeMax: config.scrapeMax,
      closedMode: config.accessMode === 'whitelist',
      isStatsClient,
      isTrustedProxy,
      hasTrustedProxies: config.proxyCidrs.length > 0,
    },
    clock,
    log,
  );
  const udpHandler = createUdpHandler(tracker, createConnectionIds(secret ?? crypto.randomBytes(32)), clock, log);
  return bindListeners(config, {
    route,
    udpHandler,
    counters: tracker.counters,
    log,
    isCapExempt,
  });
}

/** The state flush every flush interval, a journal fsync every second, expiry and refusal reports every minute. */
function startTimers(config: TrackerConfig, tracker: Tracker, journal: CompletionJournal, flush: () => boolean, log: Logger): () => void {
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
    if (full > 0) {
      log.warn(
        { refused: full, maxTorrents: config.maxTorrents },
        'announces of new torrents refused in the last minute: the tracker holds --max-torrents torrents',
      );
    }
    fullLogged = tracker.counters.torrentsFull;
  }, 60000);
  flushTimer.unref();
  syncTimer.unref();
  minuteTimer.unref();
  return () => {
    clearInterval(flushTimer);
    clearInterval(syncTimer);
    clearInterval(minuteTimer);
  };
}

/** After the last flush: closes the journal, removes the pid file, says whether everything counted is on disk. */
function stopped(config: TrackerConfig, tracker: Tracker, journal: CompletionJournal, stateOk: boolean, log: Logger): boolean {
  const journalOk = journal.close();
  const ok = stateOk && journalOk;
  if (config.pidFile !== null) removePidFile(config.pidFile);
  const st = journal.status();
  if (ok) {
    log.info(
      { file: config.stateFile, torrents: tracker.store.torrents.size, journal: st.id, seq: st.last },
      'tracker stopped; state flushed',
    );
  } else {
    log.error(
      {
        file: config.stateFile,
        journalFile: config.journalFile,
        stateWritten: stateOk,
        journalSynced: journalOk,
        unwritten: st.pending,
        lastError: st.lastError,
      },
      'tracker stopped WITHOUT flushing: counts since the last successful write are lost unless the journal holds them',
    );
  }
  return ok;
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
