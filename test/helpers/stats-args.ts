/**
 * The command line of the download page on loopback with its files, for the tests that start it (in process
 * or as ./bin/stats); a test appends the flags its case is about.
 */
export interface LoopbackStatsFiles {
  /** 0: a port from the kernel. */
  readonly port: number;
  readonly pollSeconds: number;
  readonly trackerStatsUrl: string;
  readonly manifest: string;
  readonly torrents: string;
  readonly releases: string;
  readonly db: string;
}

export function loopbackStatsArgs(o: LoopbackStatsFiles): string[] {
  return [
    '--host',
    '127.0.0.1',
    '--port',
    String(o.port),
    '--poll-interval',
    String(o.pollSeconds),
    '--tracker-stats-url',
    o.trackerStatsUrl,
    '--manifest',
    o.manifest,
    '--torrents',
    o.torrents,
    '--releases',
    o.releases,
    '--db',
    o.db,
  ];
}
