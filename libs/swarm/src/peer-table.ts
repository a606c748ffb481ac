/**
 * The peers of one torrent for one address family, packed for memory.
 *
 * Layout (n = count, c = capacity):
 *   addrs  Buffer       c × L bytes   compact address: 4-byte IPv4 or 16-byte IPv6, then 2-byte port (L = 6 | 18)
 *   meta   Uint32Array  c entries     (lastSeenMinute << 2) | COMPLETED << 1 | SEEDER
 *   slots  Uint16Array  open-addressing index (index + 1, 0 = empty), only once n > LINEAR_MAX; an
 *                       Int32Array once the capacity passes 65,534 (2 bytes per slot instead of 4 for the
 *                       usual swarm: ~4 bytes less per peer)
 *
 * About 10 bytes per IPv4 peer plus slack and slots (~16 bytes in a 1,000-peer swarm), against several hundred
 * for an object per peer. Peers are identified by their compact address (IP and port), as opentracker does.
 * Removal swaps the last peer into the hole, so the arrays stay dense and a contiguous run of them is a
 * ready-made compact peer list.
 *
 * Arrays of 1 KiB and more (a table past ~100 IPv4 peers, an index past 256 slots) live in blocks of the shared
 * `tableStorage` pool (slab-pool.ts), handed back the moment the table resizes or the store drops it with
 * `release()`; a table dropped without it gives its blocks back once collected.
 */
import { SlabPool, type Block } from './slab-pool.js';

const SEEDER = 1;
const COMPLETED = 2;
const FLAG_BITS = 2;
/** Below this, a linear scan of the packed addresses beats hashing. */
const LINEAR_MAX = 24;
const MIN_CAPACITY = 2;
/** Arrays of this many bytes and more come from `tableStorage`; smaller ones from Node's own allocations. */
const SLAB_FROM = 1024;

/** Where every table's larger arrays live (one pool per process, as Node's own Buffer pool). */
export const tableStorage = new SlabPool();

/** The blocks a table holds, apart from the table, so a table collected without release() can hand them back. */
interface Lease {
  chunk: Block | null;
  slots: Block | null;
}

// a throw here would reach the crash guard (a finalizer has no caller): a block lost to a bug beats an exit
const unreleased = new FinalizationRegistry<Lease>((lease) => {
  try {
    freeLease(lease);
  } catch {
    lease.chunk = null;
    lease.slots = null;
  }
});

function freeLease(lease: Lease): void {
  if (lease.chunk !== null) tableStorage.free(lease.chunk);
  if (lease.slots !== null) tableStorage.free(lease.slots);
  lease.chunk = null;
  lease.slots = null;
}

export class PeerTable {
  readonly addrLen: number;
  count = 0;
  seeders = 0;
  private addrs: Buffer;
  private meta: Uint32Array;
  private slots: Uint16Array | Int32Array | null = null;
  private mask = 0;
  /** Set once the table first takes a block from `tableStorage`. */
  private lease: Lease | null = null;

  constructor(addrLen: 6 | 18, capacity = MIN_CAPACITY) {
    this.addrLen = addrLen;
    const { addrs, meta, block } = allocArrays(capacity, addrLen);
    this.addrs = addrs;
    this.meta = meta;
    if (block !== null) this.holdChunk(block);
  }

  get capacity(): number {
    return this.meta.length;
  }

  /** Bytes held by this table's arrays (whole blocks where they come from `tableStorage`). */
  get byteSize(): number {
    const chunk = this.lease?.chunk?.bytes ?? this.addrs.length + this.meta.byteLength;
    return chunk + (this.lease?.slots?.bytes ?? this.slots?.byteLength ?? 0);
  }

  /**
   * Hands the table's blocks back to `tableStorage` (the store calls it when it drops the table). The table is
   * empty afterwards; it must not be used again.
   */
  release(): void {
    if (this.lease !== null) {
      freeLease(this.lease);
      unreleased.unregister(this.lease);
      this.lease = null;
    }
    this.count = 0;
    this.seeders = 0;
    this.slots = null;
    this.addrs = EMPTY_ADDRS;
    this.meta = EMPTY_META;
  }

  find(src: Uint8Array, off: number): number {
    const L = this.addrLen;
    if (this.slots === null) {
      const a = this.addrs;
      for (let i = 0, p = 0; i < this.count; i++, p += L) {
        if (equalAt(a, p, src, off, L)) return i;
      }
      return -1;
    }
    const slots = this.slots;
    for (let s = hashAt(src, off, L) & this.mask; ; s = (s + 1) & this.mask) {
      const v = slots[s]!;
      if (v === 0) return -1;
      if (equalAt(this.addrs, (v - 1) * L, src, off, L)) return v - 1;
    }
  }

  isSeeder(i: number): boolean {
    return (this.meta[i]! & SEEDER) !== 0;
  }

  hasCompleted(i: number): boolean {
    return (this.meta[i]! & COMPLETED) !== 0;
  }

  lastSeen(i: number): number {
    return this.meta[i]! >>> FLAG_BITS;
  }

  /** Updates peer i in place; keeps the seeder count right. */
  update(i: number, seeder: boolean, completed: boolean, minute: number): void {
    const was = this.meta[i]! & SEEDER;
    this.meta[i] = ((minute << FLAG_BITS) | (completed ? COMPLETED : 0) | (seeder ? SEEDER : 0)) >>> 0;
    this.seeders += (seeder ? 1 : 0) - was;
  }

  /** Adds a peer known not to be present; returns its index. */
  add(src: Uint8Array, off: number, seeder: boolean, completed: boolean, minute: number): number {
    if (this.count === this.capacity) this.resize(Math.max(MIN_CAPACITY, Math.ceil(this.count * 1.5)));
    const i = this.count++;
    const L = this.addrLen;
    this.addrs.set(src.subarray(off, off + L), i * L);
    this.meta[i] = ((minute << FLAG_BITS) | (completed ? COMPLETED : 0) | (seeder ? SEEDER : 0)) >>> 0;
    if (seeder) this.seeders++;
    if (this.slots !== null) {
      if (this.count * 10 > this.slots.length * 7) this.rebuildSlots();
      else this.insertSlot(i);
    } else if (this.count > LINEAR_MAX) {
      this.rebuildSlots();
    }
    return i;
  }

  remove(i: number): void {
    const last = this.count - 1;
    if (this.meta[i]! & SEEDER) this.seeders--;
    const L = this.addrLen;
    if (this.slots !== null) {
      this.deleteSlot(i);
      if (i !== last) this.repointSlot(last, i);
    }
    if (i !== last) {
      this.addrs.copy(this.addrs, i * L, last * L, last * L + L);
      this.meta[i] = this.meta[last]!;
    }
    this.count = last;
    this.maybeShrink();
  }

  /** Drops peers last seen before `minMinute`; returns how many were dropped. */
  expire(minMinute: number): number {
    const L = this.addrLen;
    let w = 0;
    let seeders = 0;
    for (let r = 0; r < this.count; r++) {
      const m = this.meta[r]!;
      if (m >>> FLAG_BITS < minMinute) continue;
      if (w !== r) {
        this.addrs.copy(this.addrs, w * L, r * L, r * L + L);
        this.meta[w] = m;
      }
      seeders += m & SEEDER;
      w++;
    }
    const dropped = this.count - w;
    if (dropped === 0) return 0;
    this.count = w;
    this.seeders = seeders;
    if (!this.maybeShrink()) {
      if (this.count > LINEAR_MAX) this.rebuildSlots();
      else this.setSlots(null, null);
    }
    return dropped;
  }

  /**
   * Writes up to `want` compact addresses into `out` at `outOff`, starting at a random peer and wrapping,
   * leaving out peer `exclude` (the requester, or -1). Returns the number of peers written.
   * A contiguous run is as random as a sample here: the order of the table is the order of arrival,
   * reshuffled by every removal.
   */
  select(out: Buffer, outOff: number, want: number, exclude: number, start: number): number {
    const available = this.count - (exclude >= 0 ? 1 : 0);
    const take = Math.min(want, available);
    if (take <= 0) return 0;
    const L = this.addrLen;
    let written = 0;
    let i = start % this.count;
    while (written < take) {
      // one run: from i up to the end of the table, the excluded peer, or the number still wanted
      let end = this.count;
      if (exclude >= i && exclude < end) end = exclude;
      end = Math.min(end, i + (take - written));
      if (end > i) {
        this.addrs.copy(out, outOff + written * L, i * L, end * L);
        written += end - i;
      }
      i = end === exclude ? end + 1 : end;
      if (i >= this.count) i = 0;
    }
    return written;
  }

  private maybeShrink(): boolean {
    if (this.capacity > 16 && this.count < this.capacity / 4) {
      this.resize(Math.max(MIN_CAPACITY, this.count * 2));
      return true;
    }
    return false;
  }

  private resize(capacity: number): void {
    const L = this.addrLen;
    const { addrs, meta, block } = allocArrays(capacity, L);
    this.addrs.copy(addrs, 0, 0, this.count * L);
    meta.set(this.meta.subarray(0, this.count));
    this.addrs = addrs;
    this.meta = meta;
    // after the copy: the old block may be handed out again at once
    this.holdChunk(block);
    if (this.count > LINEAR_MAX) this.rebuildSlots();
    else this.setSlots(null, null);
  }

  /** The table's arrays now live in `block` (null: in Node's own allocations); the block they lived in is handed back. */
  private holdChunk(block: Block | null): void {
    this.hold('chunk', block);
  }

  private setSlots(slots: Uint16Array | Int32Array | null, block: Block | null): void {
    this.hold('slots', block);
    this.slots = slots;
  }

  private hold(kind: keyof Lease, block: Block | null): void {
    const lease = block !== null ? this.takeLease() : this.lease;
    if (lease === null) return;
    const old = lease[kind];
    if (old !== null) tableStorage.free(old);
    lease[kind] = block;
  }

  private takeLease(): Lease {
    if (this.lease === null) {
      this.lease = { chunk: null, slots: null };
      unreleased.register(this, this.lease, this.lease);
    }
    return this.lease;
  }

  private rebuildSlots(): void {
    // load factor between 0.35 and 0.7: short probe runs, ~4-8 bytes of index per peer
    let size = 64;
    while (size < this.count * 1.5) size <<= 1;
    // index + 1 must fit a slot; the capacity bounds every index this index will hold until the next rebuild
    const narrow = this.capacity < 0xffff;
    if (this.slots === null || this.slots.length !== size || this.slots instanceof Uint16Array !== narrow) {
      // the old index first: its block can serve the new one
      this.setSlots(null, null);
      const bytes = size * (narrow ? 2 : 4);
      if (bytes < SLAB_FROM) {
        this.setSlots(narrow ? new Uint16Array(size) : new Int32Array(size), null);
      } else {
        const block = tableStorage.alloc(bytes);
        const slots = narrow ? new Uint16Array(block.buffer, block.offset, size) : new Int32Array(block.buffer, block.offset, size);
        slots.fill(0);
        this.setSlots(slots, block);
      }
    } else {
      this.slots.fill(0);
    }
    this.mask = size - 1;
    for (let i = 0; i < this.count; i++) this.insertSlot(i);
  }

  private insertSlot(i: number): void {
    const slots = this.slots!;
    let s = hashAt(this.addrs, i * this.addrLen, this.addrLen) & this.mask;
    while (slots[s] !== 0) s = (s + 1) & this.mask;
    slots[s] = i + 1;
  }

  private slotOf(i: number): number {
    const slots = this.slots!;
    let s = hashAt(this.addrs, i * this.addrLen, this.addrLen) & this.mask;
    while (slots[s] !== i + 1) s = (s + 1) & this.mask;
    return s;
  }

  private repointSlot(from: number, to: number): void {
    this.slots![this.slotOf(from)] = to + 1;
  }

  /** Linear-probing deletion with backward shift, so lookups never need tombstones. */
  private deleteSlot(i: number): void {
    const slots = this.slots!;
    const mask = this.mask;
    const L = this.addrLen;
    let hole = this.slotOf(i);
    slots[hole] = 0;
    for (let s = (hole + 1) & mask; slots[s] !== 0; s = (s + 1) & mask) {
      const v = slots[s]!;
      const home = hashAt(this.addrs, (v - 1) * L, L) & mask;
      // move v into the hole if its home position is not cyclically within (hole, s]
      const between = hole <= s ? home > hole && home <= s : home > hole || home <= s;
      if (!between) {
        slots[hole] = v;
        slots[s] = 0;
        hole = s;
      }
    }
  }
}

const EMPTY_ADDRS = Buffer.alloc(0);
const EMPTY_META = new Uint32Array(0);

/**
 * Both arrays of a table in one allocation: below SLAB_FROM from Node's shared 8 KiB Buffer pool (allocUnsafe),
 * so a small swarm costs two views instead of two ArrayBuffers with their backing stores, about 600 bytes less
 * per torrent, which is what a flood of one-peer junk torrents is made of; from SLAB_FROM on in one block of
 * `tableStorage`, with the capacity the whole block holds. Both are 4-byte aligned (the pool is 8-byte
 * aligned, blocks start at multiples of 1 KiB), so the Uint32Array view at the start is aligned. Entries
 * beyond `count` are never read, so no zero fill is needed.
 */
function allocArrays(capacity: number, L: number): { addrs: Buffer; meta: Uint32Array; block: Block | null } {
  const bytes = capacity * (4 + L);
  if (bytes >= SLAB_FROM) {
    const block = tableStorage.alloc(bytes);
    const cap = Math.floor(block.bytes / (4 + L));
    return {
      meta: new Uint32Array(block.buffer, block.offset, cap),
      addrs: Buffer.from(block.buffer, block.offset + cap * 4, cap * L),
      block,
    };
  }
  const chunk = Buffer.allocUnsafe(bytes);
  if (chunk.byteOffset % 4 !== 0) {
    // not expected from Node's pool; stay correct anyway
    return { addrs: Buffer.alloc(capacity * L), meta: new Uint32Array(capacity), block: null };
  }
  return { meta: new Uint32Array(chunk.buffer, chunk.byteOffset, capacity), addrs: chunk.subarray(capacity * 4), block: null };
}

function equalAt(a: Uint8Array, ao: number, b: Uint8Array, bo: number, len: number): boolean {
  for (let k = len - 1; k >= 0; k--) if (a[ao + k] !== b[bo + k]) return false;
  return true;
}

/** FNV-1a over the compact address, then a final mix so the low bits (the mask) spread well. */
function hashAt(a: Uint8Array, off: number, len: number): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < len; k++) h = Math.imul(h ^ a[off + k]!, 0x01000193);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}
