// bittorrent-tracker 11 ships no types; only what the integration tests use is declared here.
declare module 'bittorrent-tracker/client' {
  import { EventEmitter } from 'node:events';

  export interface ClientOptions {
    /** 40 hex characters or 20 bytes. */
    infoHash: string | Uint8Array;
    /** 40 hex characters or 20 bytes. */
    peerId: string | Uint8Array;
    announce: string | string[];
    port: number;
    getAnnounceOpts?: () => Record<string, unknown>;
    userAgent?: string;
  }

  export interface AnnounceOpts {
    uploaded?: number;
    downloaded?: number;
    left?: number;
    numwant?: number;
  }

  export interface UpdateData {
    announce: string;
    complete: number;
    incomplete: number;
  }

  export interface ScrapeData {
    announce: string;
    infoHash: string;
    complete: number;
    incomplete: number;
    downloaded: number;
  }

  export default class Client extends EventEmitter {
    constructor(opts: ClientOptions);
    start(opts?: AnnounceOpts): void;
    stop(opts?: AnnounceOpts): void;
    complete(opts?: AnnounceOpts): void;
    update(opts?: AnnounceOpts): void;
    scrape(opts?: Record<string, unknown>): void;
    setInterval(intervalMs: number): void;
    destroy(cb?: (err?: Error) => void): void;
  }
}
