import type express from 'express';
import type { Logger } from '../../../libs/common/src/log.js';
import { mountChecksumRoutes } from './checksum-routes.js';
import { mountTorrentRoutes } from './download-routes.js';
import { mountFeedRoutes } from './feed-routes.js';
import { folderSumsReader } from './folder-sums.js';
import type { StatsSite } from './http-app.js';
import { mountAssetRoutes, mountPageRoutes } from './page-routes.js';
import { TorrentFileLists } from './torrent-files.js';

/**
 * The public site's pages and feeds: home (search, sort, pages), release pages, the Atom feed,
 * SHA256SUMS, badges, the .torrent files (rewritten at serve time) and the static assets.
 */
export function mountSiteRoutes(app: express.Express, site: StatsSite, log: Logger): void {
  const fileLists = new TorrentFileLists(site.torrentsDir);
  const folderSums = folderSumsReader(site, fileLists);
  mountAssetRoutes(app);
  mountPageRoutes(app, site, fileLists, folderSums);
  mountChecksumRoutes(app, site, folderSums);
  mountFeedRoutes(app, site);
  mountTorrentRoutes(app, site, log);
}
