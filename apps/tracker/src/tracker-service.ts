import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type net from 'node:net';
import type dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import type { Logger } from '../../../libs/common/src/log.js';
import { hexToKey } from '../../../libs/accesslist/src/index.js';
import { createIpMatcher, parseCidr } from '../../../libs/net/src/index.js';
import { createConnectionIds } from '../../../libs/protocol/src/index.js';
import { readCompactIp } from '../../../libs/swarm/src/index.js';
import { loadAccessListFile } from './accesslist-source.js';
import type { TrackerConfig } from './config.js';
import { createHttpRoutes } from './http-routes.js';
import { createWireServer } from './http-wire.js';
import { dropPrivileges } from './privileges.js';
import { readStateFile, renderState, writeStateFile } from './state-file.js';
import { Tracker, type Clock } from './tracker.js';
import { createUdpHandler, createUdpSocket } from './udp-server.js';

/**
 * A running tracker: the access list loaded, counts restored, sockets bound, timers going.
 * Order matters and fixes opentracker's start-up race: list first, then state, then sockets, so no
 * announce is refused for want of a list and no restored count is dropped for the same reason.
 */
export interface TrackerService {
  readonly tracker: Tracker;
  readonly addresses: ReadonlyArray<{ proto: 'tcp' | 'udp'; address: string; port: number }>;
  /** Re-reads the access list (SIGHUP). Keeps the old list if the file cannot be read. */
  reload(): Promise<void>;
  /** Writes the state file now if anything changed since the last write. */
  flush(): void;
  close(): Promise<void>;
}

export interface ServiceDeps {
  readonly clock?: Clock;
  /** Secret for UDP connection ids; random per start by default. */
  readonly secret?: Buffer;
}

export async function startTracker(config: TrackerConfig, log: Logger, deps: ServiceDeps = {}): Promise<TrackerService> {
  const clock: Clock = deps.clock ?? { now: Date.now, random: Math.random };
  for (const note of config.notes) log.info(note);
  const tracker = new Tracker(config, clock);
  // opentracker's WANT_SYSLOGS completion line: one per counted download, the raw record behind every count
  tracker.onCompletion = (e) => log.info({
    infoHash: Buffer.from(e.infoHash, 'latin1').toString('hex'),
    ip: readCompactIp(e.addr, 0, e.addrLen),
    peerId: e.peerId === null ? null : Buffer.from(e.peerId, 'latin1').toString('hex'),
  }, 'completed');

  async function reload(): Promise<void> {
    if (config.accessMode === 'open' || config.accessListPath === null) return;
    const list = await loadAccessListFile(config.accessListPath, log);
    if (list === null) {
      log.warn({ path: config.accessListPath, kept: tracker.policy.size }, 'access list not reloaded; the previous list stays in force');
      return;
    }
    const { dropped, delisted } = tracker.setAccessList(list.hashes);
    if (delisted > 0) log.info({ delisted, peersDropped: dropped }, 'torrents left the access list: peers dropped, download counts kept');
  }

  if (config.accessMode !== 'open' && config.accessListPath !== null) {
    if (fs.existsSync(config.accessListPath)) await reload();
    else log.warn({ path: config.accessListPath, mode: config.accessMode }, 'access list file missing: starting with an empty list (closed mode refuses every torrent until it exists and SIGHUP is sent)');
  }

  const state = readStateFile(config.stateFile);
  if (state !== null) {
    const r = tracker.restore(state.rows.map((row) => ({ key: hexToKey(row.hex), baseMinute: row.baseMinute, downloaded: row.downloaded })));
    for (const b of state.bad.slice(0, 20)) log.warn({ file: config.stateFile, line: b.line, text: b.text }, 'state file line skipped');
    log.info({ file: config.stateFile, torrents: r.restored, skipped: r.skipped, badLines: state.bad.length }, 'download counts restored');
  }

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
  for (const a of addresses) log.info(a, 'listening');

  // like opentracker: bind (privileged ports too), then move into the root dir and drop to the user
  if (config.rootDir !== null) process.chdir(config.rootDir);
  if (config.user !== null) dropPrivileges(config.user, log);
  if (config.pidFile !== null) writePidFile(config.pidFile, log);

  let flushedGeneration = -1;
  function flush(): void {
    if (tracker.generation === flushedGeneration) return;
    const generation = tracker.generation;
    try {
      writeStateFile(config.stateFile, renderState(tracker));
      flushedGeneration = generation;
    } catch (err) {
      log.error({ err, file: config.stateFile }, 'state file not written; counts stay in memory and the next flush retries');
    }
  }
  flush();

  let refusedLogged = 0;
  const flushTimer = setInterval(flush, config.flushIntervalSeconds * 1000);
  const minuteTimer = setInterval(() => {
    const dropped = tracker.expire();
    if (dropped > 0) log.debug({ dropped }, 'peers expired');
    const refused = tracker.counters.refused - refusedLogged;
    if (refused > 0) log.info({ refused, total: tracker.counters.refused }, 'announces refused by the access list in the last minute');
    refusedLogged = tracker.counters.refused;
  }, 60000);
  flushTimer.unref();
  minuteTimer.unref();

  let closed = false;
  return {
    tracker,
    addresses,
    reload,
    flush,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(flushTimer);
      clearInterval(minuteTimer);
      for (const s of sockets) s.close();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => {
        s.server.close(() => resolve());
        s.closeAll();
      })));
      flush();
      if (config.pidFile !== null) removePidFile(config.pidFile);
      log.info({ file: config.stateFile, torrents: tracker.store.torrents.size }, 'tracker stopped; state flushed');
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
