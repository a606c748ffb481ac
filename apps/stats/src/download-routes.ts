import fs from 'node:fs/promises';
import path from 'node:path';
import type express from 'express';
import type { NextFunction, Response } from 'express';
import type { Logger } from '../../../libs/common/src/log.js';
import { isWholeFileRequest } from './direct-downloads.js';
import type { StatsSite } from './http-app.js';
import { isSafeTorrentName } from './manifest-parse.js';
import { releaseSegments, resolveReleaseFile } from './release-files.js';
import { attachment, fresh, strongTag } from './site-responses.js';
import { MAX_TORRENT_BYTES, rewriteTorrent, TorrentRewriteError } from './torrent-rewrite.js';

async function realDir(dir: string): Promise<string | null> {
  try {
    return await fs.realpath(dir);
  } catch {
    return null;
  }
}

/** The bytes of a .torrent in the torrents folder, or null (unsafe name, missing, too large, unreadable). */
async function readTorrentFile(torrentsDir: string, name: string): Promise<{ file: string; bytes: Buffer } | null> {
  if (!isSafeTorrentName(name)) return null;
  const root = await realDir(torrentsDir);
  if (root === null) return null;
  const file = await resolveReleaseFile(root, [name]);
  if (file === null) return null;
  try {
    if ((await fs.stat(file)).size > MAX_TORRENT_BYTES) return null;
    return { file, bytes: await fs.readFile(file) };
  } catch {
    return null;
  }
}

/**
 * .torrent files with the current trackers and web seeds: only keys outside the info dict change,
 * so the info_hash (and every client's progress) stays the same when the site moves.
 */
export function mountTorrentRoutes(app: express.Express, site: StatsSite, log: Logger): void {
  app.get('/torrents/:name', async (req, res, next) => {
    const name = req.params.name ?? '';
    const read = await readTorrentFile(site.torrentsDir, name);
    if (read === null) return next();
    const s = await site.snapshot();
    const release = s.releases.find((r) => r.torrentFile === name);
    const served = release !== undefined && release.removedAt === null && (release.filePath !== null || (release.dirPath ?? null) !== null);
    let out: Uint8Array;
    try {
      out = rewriteTorrent(read.bytes, {
        announceTiers: site.links.announceUrls.map((u) => [u]),
        webSeeds: served ? site.links.webSeeds : [],
      });
    } catch (e) {
      if (!(e instanceof TorrentRewriteError)) throw e;
      log.warn({ file: read.file, err: e.message }, 'not a readable .torrent file; not served');
      return next();
    }
    if (fresh(req, res, strongTag(out), 300)) return;
    res.set({ 'Content-Type': 'application/x-bittorrent', 'Content-Disposition': attachment(name) }).send(Buffer.from(out));
  });
}

/** A missing file falls through to the 404 page; other send errors (416 for a bad Range) keep their status. */
function sendFileDone(err: (Error & { status?: number }) | undefined, res: Response, next: NextFunction): void {
  if (!err || res.headersSent) return;
  if (err.status === 404 || err.status === undefined) next();
  else next(err);
}

/**
 * The BEP 19 web seed and direct downloads: <base>/files/<path segments, each percent-encoded>. Only
 * files of live published releases are served. The file is sent relative to the real releases folder
 * (`root`), so a dot-folder above it does not matter. A complete GET of a single-file release that
 * finished sending is a direct download; Range requests for pieces (web seeds) are not.
 */
export function mountFileRoutes(app: express.Express, site: StatsSite): void {
  app.use('/files', async (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const segments = releaseSegments(req.path.replace(/^\//, ''));
    const published = segments === null ? null : await site.publishedFile(segments);
    const root = published === null ? null : await realDir(site.releasesDir);
    const file = root === null || segments === null ? null : await resolveReleaseFile(root, segments);
    if (file === null || root === null || published === null) return next();
    if (published.wholeRelease) {
      if (isWholeFileRequest(req.method, req.get('range'))) {
        res.once('finish', () => {
          if (res.statusCode === 200 || res.statusCode === 206) {
            site.directDownload(req.socket.remoteAddress ?? '', req.headers['x-forwarded-for'], published.infoHash);
          }
        });
      }
    }
    res.sendFile(path.relative(root, file), { root, dotfiles: 'deny', acceptRanges: true, maxAge: 3_600_000 }, (err) =>
      sendFileDone(err, res, next),
    );
  });
}
