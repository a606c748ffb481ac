import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../../libs/common/src/log.js';
import { CatalogSource } from './catalog-source.js';
import type { DayCount } from './chart-svg.js';
import type { StatsConfig } from './config.js';
import { lastDays } from './format.js';
import { createStatsHttpApp, type Snapshot, type StatsSite } from './http-app.js';
import { buildReleaseViews, dailySeries, siteTotals } from './release-view.js';
import type { PollStatus } from './render-pages.js';
import { StatsPoller, type FetchLike } from './stats-poller.js';
import { StatsStore } from './stats-store.js';

export interface StatsDeps {
  /** Clock, epoch ms. */
  readonly now?: () => number;
  readonly fetch?: FetchLike;
}

export interface StatsHandle {
  readonly port: number;
  close(): Promise<void>;
  /** Runs one poll now (after any poll in flight) and resolves when its data is stored. */
  pollNow(): Promise<void>;
}

const FETCH_TIMEOUT_MS = 10_000;
/** Pages re-read the manifest and torrents folder at most this often. */
const CATALOG_TTL_MS = 2_000;

/** Starts the stats site: SQLite store, catalog, poller on a timer, HTTP server. */
export async function startStats(config: StatsConfig, log: Logger, deps: StatsDeps = {}): Promise<StatsHandle> {
  const now = deps.now ?? Date.now;
  const store = new StatsStore(config.dbPath);
  const catalog = new CatalogSource(config.manifestPath, config.torrentsDir, config.releasesDir, log);
  const poller = new StatsPoller(config.trackerStatsUrl, deps.fetch ?? (fetch as FetchLike), FETCH_TIMEOUT_MS, log);
  const bootTag = now().toString(36);
  let version = 0;
  let status: PollStatus = { lastSuccessAt: store.lastSuccessAt(), lastAttemptAt: null, lastError: null };
  let catalogAt = -Infinity;
  let catalogInFlight: Promise<void> | null = null;
  let cached: Snapshot | null = null;

  const refreshCatalog = (): Promise<void> => {
    catalogInFlight ??= catalog.refresh().then((changed) => {
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
    async snapshot() {
      if (now() - catalogAt >= CATALOG_TTL_MS) await refreshCatalog();
      const etag = `W/"${bootTag}-${version}"`;
      if (cached?.etag !== etag) {
        const releases = buildReleaseViews(catalog.releases(), store.allHashes(), config.unknownHashes);
        cached = { etag, releases, totals: siteTotals(releases), status };
      }
      return cached;
    },
    chart(hashes, days): DayCount[] {
      const from = lastDays(now(), days)[0]!;
      return dailySeries(store.dailySince(from), hashes, now(), days);
    },
    history: (infoHash) => store.history(infoHash),
  };

  const pollOnce = async (): Promise<void> => {
    try {
      await refreshCatalog();
      const outcome = await poller.poll();
      const at = now();
      if (outcome.ok) {
        const rec = store.recordPoll(outcome.entries, at);
        log.debug({ torrents: outcome.entries.length, ...rec }, 'tracker stats stored');
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
      store.close();
    },
  };
}
