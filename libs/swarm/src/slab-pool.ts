/**
 * Storage for the larger peer tables: blocks of 1, 1.5, 2, 3, 4, 6 ... 128 KiB carved from shared 256 KiB
 * slabs, handed back the moment a table grows, shrinks or is dropped. The half steps keep a block's unused
 * tail under a third of it (a table grows by half its size at a time).
 *
 * Why not one ArrayBuffer per table: a table that grows leaves its old arrays to the garbage collector,
 * which frees their malloc'd memory only at its next full collection, and by then the live tables sit
 * between the dead ones. Measured with 1,000 swarms growing to 1,000 peers each (bench/RESULTS.md): 14 MiB
 * of live arrays held 45 MiB of the process's malloc heap (26 MiB even with a full collection after every
 * fifth growth round), and glibc keeps freed memory in the middle of its heap resident. Blocks freed here are
 * reused by the next table that needs one, of any size, because a slab whose blocks are all free goes back
 * to a shared list of empty slabs.
 *
 * A slab is one ArrayBuffer of SLAB_BYTES; only `keepEmpty` empty slabs are kept, the others are left to the
 * garbage collector. Requests above the largest block get an ArrayBuffer of their own.
 */
export const SLAB_BYTES = 256 * 1024;
/** Smallest and largest block: 1 KiB and 128 KiB. */
export const MIN_BLOCK = 1024;
export const MAX_BLOCK = 128 * 1024;
/** Size classes: MIN_BLOCK * 2^(c >> 1), times 1.5 for odd c. */
const CLASSES = 15;

/** Block bytes of size class `c`; every one is a multiple of 512, so blocks stay 4-byte aligned. */
export function classBytes(c: number): number {
  return (MIN_BLOCK << (c >> 1)) * (c & 1 ? 1.5 : 1);
}

/** The smallest size class of at least `bytes` (1 <= bytes <= MAX_BLOCK). */
export function classOf(bytes: number): number {
  let c = 0;
  while (classBytes(c) < bytes) c++;
  return c;
}

interface Slab {
  readonly buffer: ArrayBuffer;
  /** Size class (see classBytes), or -1 while empty. */
  cls: number;
  used: number;
  /** Offsets of this slab's free blocks (a stack). */
  free: number[];
}

export interface Block {
  readonly buffer: ArrayBuffer;
  readonly offset: number;
  /** Usable bytes: the request rounded up to the block size. */
  readonly bytes: number;
  /** The slab it came from; null for a block larger than MAX_BLOCK (its own ArrayBuffer). */
  readonly slab: Slab | null;
  freed: boolean;
}

export interface SlabStats {
  /** Slabs holding at least one block. */
  readonly slabs: number;
  readonly emptySlabs: number;
  /** Bytes of the blocks handed out and not freed, slab blocks and own ArrayBuffers alike. */
  readonly blockBytes: number;
}

export class SlabPool {
  /** Per size class, the slabs with at least one free block. */
  private readonly partial: Slab[][] = [];
  private readonly empty: Slab[] = [];
  private readonly keepEmpty: number;
  private slabsInUse = 0;
  private blockBytes = 0;

  constructor(keepEmpty = 16) {
    this.keepEmpty = keepEmpty;
    for (let c = 0; c < CLASSES; c++) this.partial.push([]);
  }

  /** A block of at least `bytes` bytes (0 < bytes); its contents are whatever its last user left. */
  alloc(bytes: number): Block {
    if (!(bytes > 0)) throw new RangeError(`block size must be positive: ${bytes}`);
    if (bytes > MAX_BLOCK) {
      this.blockBytes += bytes;
      return { buffer: new ArrayBuffer(bytes), offset: 0, bytes, slab: null, freed: false };
    }
    const cls = classOf(bytes);
    const size = classBytes(cls);
    const list = this.partial[cls]!;
    let slab = list[list.length - 1];
    if (slab === undefined) {
      slab = this.empty.pop() ?? { buffer: new ArrayBuffer(SLAB_BYTES), cls: -1, used: 0, free: [] };
      slab.cls = cls;
      // whole blocks only: a 1.5-step class leaves the slab's last part of a block unused
      for (let off = (Math.floor(SLAB_BYTES / size) - 1) * size; off >= 0; off -= size) slab.free.push(off);
      list.push(slab);
      this.slabsInUse++;
    }
    const offset = slab.free.pop()!;
    slab.used++;
    if (slab.free.length === 0) list.pop();
    this.blockBytes += size;
    return { buffer: slab.buffer, offset, bytes: size, slab, freed: false };
  }

  /** Hands a block back; its memory may be given out again at once, so no view of it may be used after. */
  free(block: Block): void {
    if (block.freed) throw new Error('block freed twice');
    block.freed = true;
    this.blockBytes -= block.bytes;
    const slab = block.slab;
    if (slab === null) return;
    const list = this.partial[slab.cls]!;
    if (slab.free.length === 0) list.push(slab);
    slab.free.push(block.offset);
    slab.used--;
    if (slab.used > 0) return;
    list.splice(list.indexOf(slab), 1);
    slab.free.length = 0;
    slab.cls = -1;
    this.slabsInUse--;
    if (this.empty.length < this.keepEmpty) this.empty.push(slab);
  }

  stats(): SlabStats {
    return { slabs: this.slabsInUse, emptySlabs: this.empty.length, blockBytes: this.blockBytes };
  }
}
