import type express from 'express';
import type { Request, Response } from 'express';
import type { FolderSumsOf } from './folder-sums.js';
import type { StatsSite } from './http-app.js';
import { HEX40 } from './manifest-parse.js';
import { fresh, strongTag } from './site-responses.js';
import { sha256sums, type FolderFileSum } from './sums.js';

function sendSums(req: Request, res: Response, body: string): void {
  // the body grows as folder checksums are computed, so the tag follows the content
  if (fresh(req, res, strongTag(body), 30)) return;
  res.set('Access-Control-Allow-Origin', '*').type('text/plain; charset=utf-8').send(body);
}

/** SHA256SUMS for the whole site and for one release (`sha256sum -c` reads both). */
export function mountChecksumRoutes(app: express.Express, site: StatsSite, folderSums: FolderSumsOf): void {
  app.get('/SHA256SUMS', async (req, res) => {
    const s = await site.snapshot();
    const folders = new Map<string, FolderFileSum[]>();
    for (const r of s.releases) if (r.dirPath != null && r.removedAt === null) folders.set(r.infoHash, await folderSums(r));
    sendSums(req, res, sha256sums(s.releases, folders));
  });
  app.get('/release/:infohash/SHA256SUMS', async (req, res) => {
    const hash = (req.params.infohash ?? '').toLowerCase();
    const s = await site.snapshot();
    const release = HEX40.test(hash) ? s.releases.find((r) => r.infoHash === hash) : undefined;
    const body = release ? sha256sums([release], new Map([[release.infoHash, await folderSums(release)]])) : '';
    if (body === '') return void res.status(404).type('text/plain; charset=utf-8').send('no SHA-256 known for this release (yet)\n');
    sendSums(req, res, body);
  });
}
