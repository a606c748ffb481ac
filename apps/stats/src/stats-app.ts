import path from 'node:path';
import type { Logger } from '../../../libs/common/src/log.js';
import { createIpMatcher, parseCidr } from '../../../libs/net/src/cidr.js';
import { clientIp } from '../../../libs/net/src/client-ip.js';
import { cappedGet, type CappedGet, type CappedGetLimits } from './capped-get.js';
import { CatalogSource } from './catalog-source.js';
import type { DayCount } from './chart-svg.js';
import type { StatsConfig } from './config.js';
import { CountSync } from './count-sync.js';
import { DirectDownloadLimiter } from './direct-downloads.js';
import { FileSums } from './file-sums.js';
import { lastDays } from './format.js';
import { createStatsHttpApp, type StatsSite } from './http-app.js';
import { closeHttp, listenHttp } from './http-listen.js';
import { PollLoop, pollOnce } from './poll-loop.js';
import { dailySeries } from './release-view.js';
import { SiteSnapshots } from './site-snapshots.js';
import { StatsPoller } from './stats-poller.js';
import { StatsStore } from './stats-store.js';

export interface StatsDeps {
  /** Clock, epoch ms. */
  readonly now?: () => number;
  /** HTTP GET to the tracker (tests put a fake tracker here). */
  readonly get?: CappedGet;
}

export interface StatsHandle {
  readonly port: number;
  close(): Promise<void>;
  /** Runs one poll now (after any poll in flight) and resolves when its data is stored. */
  pollNow(): Promise<void>;
}

/**
 * Bounds of one reply from the tracker. A tpbs line is at most ~60 bytes, so 32 MiB is half a million
 * torrents; gzip shrinks it about 3 times, and a gzip bomb stops at the decoded cap.
 */
const TRACKER_REPLY_LIMITS: CappedGetLimits = { maxWireBytes: 16 * 1024 * 1024, maxBodyBytes: 32 * 1024 * 1024, timeoutMs: 10_000 };
/** Direct-download limiter slots (about 150 bytes each). */
const DIRECT_MAX_TRACKED = 20_000;

/** Counting direct downloads: the per-address limit over trusted proxies, then the store. */
function directDownloadCounter(
  config: StatsConfig,
  store: StatsStore,
  snapshots: SiteSnapshots,
  now: () => number,
  log: Logger,
): StatsSite['directDownload'] {
  const windowMs = config.directWindowSeconds * 1000;
  const limiter = new DirectDownloadLimiter({ perAddress: config.directLimit, windowMs, maxTracked: DIRECT_MAX_TRACKED });
  const isProxy = createIpMatcher(config.trustedProxies.map(parseCidr));
  return (remoteAddress, forwardedFor, infoHash) => {
    const ip = clientIp(remoteAddress, forwardedFor, isProxy);
    const at = now();
    if (!limiter.admit(ip, infoHash, at)) return;
    try {
      if (store.recordDirect(infoHash, at)) snapshots.changed();
    } catch (e) {
      log.error({ err: (e as Error).message }, 'storing a direct download failed');
    }
  };
}

/** Starts the stats site: SQLite store, catalog, poller on a timer, HTTP server. */
export async function startStats(config: StatsConfig, log: Logger, deps: StatsDeps = {}): Promise<StatsHandle> {
  const now = deps.now ?? Date.now;
  const store = new StatsStore(config.dbPath, { maxUnknownHashes: config.maxUnknownHashes });
  const catalog = new CatalogSource(config.manifestPath, config.torrentsDir, config.releasesDir, log);
  const get = deps.get ?? cappedGet;
  const poller = new StatsPoller(config.trackerStatsUrl, get, TRACKER_REPLY_LIMITS, log);
  const sync = new CountSync(
    {
      statsUrl: config.trackerStatsUrl,
      source: config.countSource,
      limits: TRACKER_REPLY_LIMITS,
      feedPage: 1000,
      maxFeedPages: 100,
    },
    poller,
    store,
    get,
    now,
    log,
  );
  const links = { announceUrls: config.announceUrls, webSeeds: config.webSeeds };
  const snapshots = new SiteSnapshots({ catalog, store, links, unknownHashes: config.unknownHashes, now });
  const fileSums = new FileSums(config.releasesDir, path.join(path.dirname(config.dbPath), 'file-sha256.json'), log);

  const site: StatsSite = {
    title: config.title,
    baseUrl: config.baseUrl,
    releasesDir: config.releasesDir,
    torrentsDir: config.torrentsDir,
    links,
    fileSums,
    now,
    snapshot: () => snapshots.snapshot(),
    chart(hashes, days): DayCount[] {
      const from = lastDays(now(), days)[0]!;
      return dailySeries(store.dailySince(from), hashes, now(), days);
    },
    history: (infoHash) => store.history(infoHash),
    publishedFile: (segments) => snapshots.publishedFile(segments),
    directDownload: directDownloadCounter(config, store, snapshots, now, log),
    countHealth: () => sync.health(),
  };

  let listening: Awaited<ReturnType<typeof listenHttp>>;
  try {
    listening = await listenHttp(createStatsHttpApp(site, log), config.host, config.port, log);
  } catch (e) {
    store.close();
    throw e;
  }
  const loop = new PollLoop(() => pollOnce(snapshots, sync, now, log), config.pollIntervalSeconds * 1000);
  loop.start();

  let closed = false;
  return {
    port: listening.port,
    pollNow: () => loop.pollNow(),
    async close() {
      if (closed) return;
      closed = true;
      loop.stop();
      await closeHttp(listening.server);
      await loop.drained();
      await snapshots.settled();
      await fileSums.close();
      store.close();
    },
  };
}
