import type { GenOptions } from './udp-gen-types.js';

/**
 * The generator's shared state across its sockets: which (t, k) item to announce next, and the counts.
 * An item is t + k * torrents. Load picks items at random (xorshift32, seeded); preload walks them once,
 * re-sending lost ones first.
 */
export class GenTally {
  ok = 0;
  errors = 0;
  lost = 0;
  /** Items answered (preload: a refusal is an answer too). */
  acked = 0;
  /** ok replies per second since `t0`. */
  readonly buckets: number[] = [];
  /** When the first socket got its connection id; 0 before. */
  t0 = 0;
  /** Set when the run ends: nothing more is sent. */
  stopping = false;
  readonly total: number;
  private rng: number;
  private nextItem = 0;
  private readonly retry: number[] = [];

  constructor(private readonly o: GenOptions) {
    this.total = o.mode === 'preload' ? Math.min(o.total ?? o.torrents * o.peers, o.torrents * o.peers) : Infinity;
    this.rng = o.seed >>> 0 || 1;
  }

  private rand(n: number): number {
    let rng = this.rng;
    rng ^= rng << 13;
    rng >>>= 0;
    rng ^= rng >>> 17;
    rng ^= rng << 5;
    rng >>>= 0;
    this.rng = rng;
    return rng % n;
  }

  takeItem(): number | null {
    const o = this.o;
    if (o.mode === 'load') return this.rand(o.torrents) + o.torrents * this.rand(o.peers);
    if (this.retry.length > 0) return this.retry.pop()!;
    return this.nextItem < this.total ? this.nextItem++ : null;
  }

  started(): void {
    if (this.t0 === 0) this.t0 = Date.now();
  }

  /** A reply to an outstanding request: ok when it is an announce reply (action 1, >= 20 bytes). */
  answered(ok: boolean): void {
    if (ok) {
      this.ok++;
      this.acked++;
      const sec = Math.floor((Date.now() - this.t0) / 1000);
      this.buckets[sec] = (this.buckets[sec] ?? 0) + 1;
    } else {
      this.errors++;
      if (this.o.mode === 'preload') this.acked++; // a refusal is an answer: retrying would not change it
    }
  }

  timedOut(item: number): void {
    this.lost++;
    if (this.o.mode === 'preload') this.retry.push(item);
  }

  /** Preload: every item answered. */
  get preloaded(): boolean {
    return this.o.mode === 'preload' && this.acked >= this.total;
  }
}
