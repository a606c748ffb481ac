import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

/**
 * A stand-in tracker that speaks the completion-feed contract
 * (`?mode=completions&since=S&limit=N` -> {"journal","first","last","entries":[[seq,timeMs,hash],...]}),
 * tpbs/txtp from its own counters and `mode=completed` (uptime), so tests can lose entries, start new
 * journals and restart it at will.
 */
export class FakeFeedTracker {
  journal = 'a1';
  /** Entries still in the journal; seq = first + index. */
  entries: [number, number, string][] = [];
  first = 1;
  /** Per-hash counters as the tracker's tpbs shows them. */
  counters = new Map<string, number>();
  startedAt = Date.now();
  completedSinceStart = 0;
  feedStatus = 200;
  requests: string[] = [];
  private srv: http.Server | null = null;
  url = '';

  get last(): number {
    return this.first + this.entries.length - 1;
  }

  complete(hash: string, at = Date.now(), n = 1): void {
    for (let i = 0; i < n; i++) {
      this.entries.push([this.last + 1, at, hash]);
      this.counters.set(hash, (this.counters.get(hash) ?? 0) + 1);
      this.completedSinceStart++;
    }
  }

  /** Drops journal entries up to seq `upTo` (compaction). */
  compact(upTo: number): void {
    const drop = Math.max(0, Math.min(this.entries.length, upTo - this.first + 1));
    this.entries.splice(0, drop);
    this.first += drop;
  }

  /** State lost: a new journal, empty counters. */
  newJournal(id: string): void {
    this.journal = id;
    this.entries = [];
    this.first = 1;
    this.counters.clear();
    this.completedSinceStart = 0;
    this.startedAt = Date.now();
  }

  /** A new one, listening. */
  static async started(): Promise<FakeFeedTracker> {
    const t = new FakeFeedTracker();
    await t.start();
    return t;
  }

  async start(): Promise<void> {
    this.srv = http.createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      this.requests.push(u.search);
      const mode = u.searchParams.get('mode');
      if (mode === 'completions') {
        if (this.feedStatus !== 200) return void res.writeHead(this.feedStatus).end('error');
        const since = Number(u.searchParams.get('since'));
        const limit = Math.min(10_000, Number(u.searchParams.get('limit') ?? 1000));
        const out = this.entries.filter((e) => e[0] > since).slice(0, limit);
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ journal: this.journal, first: this.first, last: this.last, entries: out }));
        return;
      }
      if (mode === 'completed') {
        const up = Math.floor((Date.now() - this.startedAt) / 1000);
        return void res.end(`${this.completedSinceStart}\n0\n${up} seconds (0 hours)\nopentracker, 0 completed/h.`);
      }
      const body = [...this.counters].map(([h, n]) => `${h.toUpperCase()}:1:0:${n}`).join('\n') + '\n';
      res.end(body);
    });
    this.srv.listen(0, '127.0.0.1');
    await once(this.srv, 'listening');
    this.url = `http://127.0.0.1:${(this.srv.address() as AddressInfo).port}/stats?mode=tpbs&format=txtp`;
  }

  async close(): Promise<void> {
    if (!this.srv) return;
    this.srv.closeAllConnections();
    await new Promise<void>((r) => this.srv!.close(() => r()));
  }
}

/**
 * A stand-in for the tracker's /stats endpoint on a real socket, so each test can choose the body,
 * the status and the encoding (opentracker itself is driven in opentracker.test.ts).
 */
export interface FakeStats {
  status: number;
  body: string;
  gzip: 'none' | 'header' | 'silent';
}

export async function serveStats(state: FakeStats): Promise<{ url: string; close(): Promise<void> }> {
  const srv = http.createServer((_req, res) => {
    const raw = Buffer.from(state.body, 'latin1');
    const body = state.gzip === 'none' ? raw : gzipSync(raw);
    res.writeHead(state.status, { 'Content-Type': 'text/plain', ...(state.gzip === 'header' ? { 'Content-Encoding': 'gzip' } : {}) });
    res.end(body);
  });
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/stats?mode=tpbs&format=txtp`,
    close: () =>
      new Promise((r) => {
        srv.closeAllConnections();
        srv.close(() => r());
      }),
  };
}
