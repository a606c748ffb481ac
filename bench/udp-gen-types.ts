/** What the BEP 15 load generator is asked to do, and what it reports (one JSON line each way). */
export interface GenOptions {
  readonly mode: 'preload' | 'load';
  readonly host: string;
  readonly port: number;
  readonly hashesFile: string;
  /** Torrents used (the first lines of hashesFile). */
  readonly torrents: number;
  /** Peers per torrent in the population (load) or the most per torrent (preload). */
  readonly peers: number;
  /** Preload only: total announces (default torrents * peers). */
  readonly total?: number;
  readonly seconds: number;
  readonly sockets: number;
  readonly window: number;
  readonly numwant: number;
  readonly seed: number;
}

export interface GenResult {
  readonly mode: string;
  readonly ok: number;
  readonly errors: number;
  readonly lost: number;
  readonly seconds: number;
  readonly perSecond: number[];
  readonly cpuSeconds: number;
  readonly complete: boolean;
}
