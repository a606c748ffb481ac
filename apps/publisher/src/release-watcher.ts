import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { isIgnoredName } from '../../../libs/common/src/ignored-names.js';
import type { Logger } from '../../../libs/common/src/log.js';
import { releaseKeyOf } from './release-rules.js';

/**
 * Watches releasesDir and calls `onEvent` with the release a path belongs to (null for the folder itself), once the
 * watcher is ready. No awaitWriteFinish: the release machine owns "unchanged long enough", for folders as for files.
 */
export async function watchReleases(releasesDir: string, log: Logger, onEvent: (key: string | null) => void): Promise<FSWatcher> {
  const w = watch(releasesDir, {
    ignoreInitial: true,
    followSymlinks: false,
    ignored: (p: string) => {
      const rel = path.relative(releasesDir, p);
      return rel !== '' && !rel.startsWith('..') && rel.split(path.sep).some(isIgnoredName);
    },
  });
  w.on('all', (event, p) => {
    const key = releaseKeyOf(path.relative(releasesDir, p));
    log.debug({ event, path: p, release: key }, 'watch event');
    onEvent(key);
  });
  w.on('error', (err) => log.error({ error: err instanceof Error ? err.message : String(err) }, 'watcher error'));
  await new Promise<void>((resolve) => w.once('ready', () => resolve()));
  return w;
}
