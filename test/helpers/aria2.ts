import { spawnSync } from 'node:child_process';

/** Whether aria2c (the real BitTorrent client of the download tests) is installed. */
export const hasAria2 = spawnSync('sh', ['-c', 'command -v aria2c']).status === 0;

/**
 * aria2c's flags for a download that may use only the tracker and the web seed a test gives it (no DHT, local
 * peer discovery or peer exchange to find anyone else), quiet, without preallocating the file.
 */
export const ARIA2_ISOLATED = [
  '--enable-dht=false',
  '--enable-dht6=false',
  '--bt-enable-lpd=false',
  '--enable-peer-exchange=false',
  '--summary-interval=0',
  '--console-log-level=warn',
  '--file-allocation=none',
] as const;
