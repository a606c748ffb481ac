import type { UnknownHashes } from './config.js';
import type { CatalogSource } from './catalog-source.js';
import type { Snapshot } from './http-app.js';
import { type PublishedFile, PublishedFiles } from './published-files.js';
import { buildReleaseViews, type CurrentLinks, siteTotals, withCurrentLinks } from './release-view.js';
import type { PollStatus } from './render-pages.js';
import type { StatsStore } from './stats-store.js';

/** Pages re-read the manifest and torrents folder at most this often. */
const CATALOG_TTL_MS = 2_000;

export interface SiteSnapshotsOptions {
  readonly catalog: CatalogSource;
  readonly store: StatsStore;
  readonly links: CurrentLinks;
  readonly unknownHashes: UnknownHashes;
  /** Clock, epoch ms. */
  readonly now: () => number;
}

/**
 * What the pages show, built once per version: the catalog (re-read at most every CATALOG_TTL_MS) joined with
 * the stored counts. `changed()` after anything a page shows changed; the version is also the pages' weak ETag.
 */
export class SiteSnapshots {
  status: PollStatus;
  private version = 0;
  private readonly bootTag: string;
  private published = new PublishedFiles([]);
  private catalogAt = -Infinity;
  private inFlight: Promise<void> | null = null;
  private cached: Snapshot | null = null;

  constructor(private readonly o: SiteSnapshotsOptions) {
    this.bootTag = o.now().toString(36);
    this.status = { lastSuccessAt: o.store.lastSuccessAt(), lastAttemptAt: null, lastError: null };
  }

  changed(): void {
    this.version++;
  }

  /** Re-reads the catalog (one read at a time); a changed catalog changes the pages and what /files serves. */
  refreshCatalog(): Promise<void> {
    const { catalog, store, now } = this.o;
    this.inFlight ??= catalog
      .refresh()
      .then((changed) => {
        if (changed || this.catalogAt === -Infinity) {
          this.published = new PublishedFiles(catalog.releases());
          store.setCatalog(new Set(catalog.releases().map((r) => r.infoHash)));
        }
        if (changed) this.version++;
        this.catalogAt = now();
      })
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  /** Brings the catalog up to date (throttled) and returns the current snapshot. */
  async snapshot(): Promise<Snapshot> {
    const { catalog, store, now } = this.o;
    if (now() - this.catalogAt >= CATALOG_TTL_MS) await this.refreshCatalog();
    const etag = `W/"${this.bootTag}-${this.version}"`;
    if (this.cached?.etag !== etag) {
      const releases = withCurrentLinks(buildReleaseViews(catalog.releases(), store.allHashes(), this.o.unknownHashes), this.o.links);
      this.cached = { etag, releases, totals: siteTotals(releases), status: this.status };
    }
    return this.cached;
  }

  async publishedFile(segments: readonly string[]): Promise<PublishedFile | null> {
    if (this.o.now() - this.catalogAt >= CATALOG_TTL_MS) await this.refreshCatalog();
    return this.published.lookup(segments);
  }

  /** Resolves when no catalog read is running (before the store closes). */
  async settled(): Promise<void> {
    if (this.inFlight) await this.inFlight;
  }
}
