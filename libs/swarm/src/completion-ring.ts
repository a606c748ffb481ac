/**
 * The most recent completions, by seq, in fixed memory: what the completion feed serves without reading the
 * journal file. Seqs are consecutive, so an entry's slot is seq % capacity and the seq itself is not stored:
 * 8 bytes of time + 20 bytes of info_hash per entry (2.8 MB for 100,000).
 */
export class CompletionRing {
  readonly capacity: number;
  private readonly times: Float64Array;
  private readonly keys: Buffer;
  /** Lowest seq held; last + 1 when empty. */
  first: number;
  /** Highest seq held (0 before the first one). */
  last: number;

  constructor(capacity: number, last = 0) {
    this.capacity = Math.max(1, Math.floor(capacity));
    this.times = new Float64Array(this.capacity);
    this.keys = Buffer.alloc(this.capacity * 20);
    this.last = last;
    this.first = last + 1;
  }

  /** Appends seq last + 1; the oldest entry goes when full. `key` is the 20-byte info_hash as a latin1 string. */
  push(key: string, timeMs: number): number {
    const seq = ++this.last;
    const slot = seq % this.capacity;
    this.times[slot] = timeMs;
    this.keys.write(key, slot * 20, 20, 'latin1');
    if (this.last - this.first + 1 > this.capacity) this.first = this.last - this.capacity + 1;
    return seq;
  }

  /** Appends an entry read back from the journal (hex info_hash), keeping seqs consecutive from `seq`. */
  pushHex(seq: number, timeMs: number, hex: string): void {
    if (seq !== this.last + 1) {
      // a gap in a damaged journal: restart the ring there rather than serve a hole
      this.last = seq - 1;
      this.first = seq;
    }
    this.push(Buffer.from(hex, 'hex').toString('latin1'), timeMs);
  }

  timeOf(seq: number): number {
    return this.times[seq % this.capacity]!;
  }

  hexOf(seq: number): string {
    const slot = seq % this.capacity;
    return this.keys.toString('hex', slot * 20, slot * 20 + 20);
  }

  keyOf(seq: number): string {
    const slot = seq % this.capacity;
    return this.keys.toString('latin1', slot * 20, slot * 20 + 20);
  }

  /** Entries with seq > since and seq <= upTo, ascending, at most limit. */
  since(since: number, limit: number, upTo = this.last): Array<[number, number, string]> {
    const out: Array<[number, number, string]> = [];
    const from = Math.max(this.first, Math.floor(since) + 1);
    const to = Math.min(upTo, this.last, from + limit - 1);
    for (let seq = from; seq <= to; seq++) out.push([seq, this.timeOf(seq), this.hexOf(seq)]);
    return out;
  }
}
