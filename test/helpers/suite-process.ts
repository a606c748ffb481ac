import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { bin } from './repo-paths.js';

/**
 * The `npm start` launcher (./bin/suite) as a new user runs it, on loopback: data, releases and whitelist inside
 * `dir`, the tracker and the page on the given ports. Detached, so a test can kill the launcher's whole group.
 */
export function spawnSuite(dir: string, trackerPort: number, statsPort: number, env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(bin('suite'), [], {
    cwd: dir,
    env: {
      ...process.env,
      BIND_HOST: '127.0.0.1',
      PUBLIC_HOST: '127.0.0.1',
      TRACKER_PORT: String(trackerPort),
      STATS_PORT: String(statsPort),
      DATA_DIR: path.join(dir, 'data'),
      RELEASES_DIR: path.join(dir, 'releases'),
      WHITELIST: path.join(dir, 'whitelist'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
}

/** Everything the child writes, stdout and stderr interleaved, from now on. */
export function collectText(child: ChildProcess): () => string {
  let out = '';
  const add = (d: Buffer): void => {
    out += d.toString();
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => out;
}
