import { once } from 'node:events';
import path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../../libs/common/src/log.js';
import { CatalogSource } from './catalog-source.js';
import type { DayCount } from './chart-svg.js';
import type { StatsConfig } from './config.js';
import { FileSums } from './file-sums.js';
import { lastDays } from './format.js';
import { createStatsHttpApp, type Snapshot, type StatsSite } from './http-app.js';
import { buildReleaseViews, dailySeries, siteTotals, withCurrentLinks } from './release-view.js';
import type { PollStatus } from './render-pages.js';
import { StatsPoller } from './stats-poller.js';
import { StatsStore } from './stats-store.js';
import { cappedGet, type CappedGet, type CappedGetLimits } from './capped-get.js';
import { CountSync } from './count-sync.js';
import { DirectDownloadLimiter } from './direct-downloads.js';
import { PublishedFiles } from './published-files.js';
import { clientIp } from '../../../libs/net/src/client-ip.js';
import { createIpMatcher, parseCidr } from '../../../libs/net/src/cidr.js';

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
/** Pages re-read the manifest and torrents folder at most this often. */
const CATALOG_TTL_MS = 2_000;

/** Starts the stats site: SQLite store, catalog, poller on a timer, HTTP server. */
export async function startStats(config: StatsConfig, log: Logger, deps: StatsDeps = {}): Promise<StatsHandle> {
  const now = deps.now ?? Date.now;
  const store = new StatsStore(config.dbPath, { maxUnknownHashes: config.maxUnknownHashes });
  const catalog = new CatalogSource(config.manifestPath, config.torrentsDir, config.releasesDir, log);
  const get = deps.get ?? cappedGet;
  const poller = new StatsPoller(config.trackerStatsUrl, get, TRACKER_REPLY_LIMITS, log);
  const sync = new CountSync({
    statsUrl: config.trackerStatsUrl, source: config.countSource, limits: TRACKER_REPLY_LIMITS, feedPage: 1000, maxFeedPages: 100,
  }, poller, store, get, now, log);
  const limiter = new DirectDownloadLimiter({ perAddress: config.directLimit, windowMs: config.directWindowSeconds * 1000, maxTracked: DIRECT_MAX_TRACKED });
  const isProxy = createIpMatcher(config.trustedProxies.map(parseCidr));
  let published = new PublishedFiles([]);
  const fileSums = new FileSums(config.releasesDir, path.join(path.dirname(config.dbPath), 'file-sha256.json'), log);
  const bootTag = now().toString(36);
  let version = 0;
  let status: PollStatus = { lastSuccessAt: store.lastSuccessAt(), lastAttemptAt: null, lastError: null };
  let catalogAt = -Infinity;
  let catalogInFlight: Promise<void> | null = null;
  let cached: Snapshot | null = null;

  const refreshCatalog = (): Promise<void> => {
    catalogInFlight ??= catalog.refresh().then((changed) => {
      if (changed || catalogAt === -Infinity) {
        published = new PublishedFiles(catalog.releases());
        store.setCatalog(new Set(catalog.releases().map((r) => r.infoHash)));
      }
      if (changed) version++;
      catalogAt = now();
    }).finally(() => {
      catalogInFlight = null;
    });
    return catalogInFlight;
  };

  const site: StatsSite = {
    title: config.title,
    baseUrl: config.baseUrl,
    releasesDir: config.releasesDir,
    torrentsDir: config.torrentsDir,
    links: { announceUrls: config.announceUrls, webSeeds: config.webSeeds },
    fileSums,
    now,
    async snapshot() {
      if (now() - catalogAt >= CATALOG_TTL_MS) await refreshCatalog();
      const etag = `W/"${bootTag}-${version}"`;
      if (cached?.etag !== etag) {
        const releases = withCurrentLinks(buildReleaseViews(catalog.releases(), store.allHashes(), config.unknownHashes), config);
        cached = { etag, releases, totals: siteTotals(releases), status };
      }
      return cached;
    },
    chart(hashes, days): DayCount[] {
      const from = lastDays(now(), days)[0]!;
      return dailySeries(store.dailySince(from), hashes, now(), days);
    },
    history: (infoHash) => store.history(infoHash),
    async publishedFile(segments) {
      if (now() - catalogAt >= CATALOG_TTL_MS) await refreshCatalog();
      return published.lookup(segments);
    },
    directDownload(remoteAddress, forwardedFor, infoHash) {
      const ip = clientIp(remoteAddress, forwardedFor, isProxy);
      const at = now();
      if (!limiter.admit(ip, infoHash, at)) return;
      try {
        if (store.recordDirect(infoHash, at)) version++;
      } catch (e) {
        log.error({ err: (e as Error).message }, 'storing a direct download failed');
      }
    },
    countHealth: () => sync.health(),
  };

  const pollOnce = async (): Promise<void> => {
    try {
      await refreshCatalog();
      const outcome = await sync.poll();
      const at = now();
      if (outcome.ok) {
        log.debug(outcome, 'tracker stats stored');
        status = { lastSuccessAt: at, lastAttemptAt: at, lastError: null };
      } else {
        status = { ...status, lastAttemptAt: at, lastError: outcome.error };
      }
    } catch (e) {
      // A store failure (disk full, locked file) must not stop the site; the page shows the warning.
      log.error({ err: (e as Error).message }, 'storing tracker stats failed');
      status = { ...status, lastAttemptAt: now(), lastError: 'could not store the data' };
    }
    version++;
  };

  let chain: Promise<void> = Promise.resolve();
  const enqueue = (): Promise<void> => (chain = chain.then(pollOnce));

  const app = createStatsHttpApp(site, log);
  const server: Server = app.listen(config.port, config.host);
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([e]) => { throw e; })]);
  } catch (e) {
    store.close();
    throw new Error(`stats: cannot listen on ${config.host}:${config.port}: ${(e as Error).message}`, { cause: e });
  }
  server.on('error', (e) => log.error({ err: e.message }, 'http server error'));
  const port = (server.address() as AddressInfo).port;
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  log.info({ port, host: config.host, url: `http://${shownHost}:${port}/` }, 'listening');

  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    if (closed) return;
    timer = setTimeout(() => void enqueue().then(schedule), config.pollIntervalSeconds * 1000);
  };
  void enqueue().then(schedule);

  return {
    port,
    pollNow: () => (closed ? Promise.reject(new Error('stats app is closed')) : enqueue()),
    async close() {
      if (closed) return;
      closed = true;
      clearTimeout(timer);
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await done;
      await chain;
      if (catalogInFlight) await catalogInFlight;
      await fileSums.close();
      store.close();
    },
  };
}
