import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_BLOCK, MIN_BLOCK, SLAB_BYTES, SlabPool, classBytes, classOf, type Block } from './slab-pool.js';

describe('slab pool', () => {
  test('size classes: whole and half steps from 1 KiB to 128 KiB', () => {
    for (const [bytes, block] of [
      [1, 1024],
      [1024, 1024],
      [1025, 1536],
      [1536, 1536],
      [1537, 2048],
      [10_000, 12_288],
      [12_289, 16_384],
      [98_305, 131_072],
      [MAX_BLOCK, MAX_BLOCK],
    ] as const) {
      assert.equal(classBytes(classOf(bytes)), block, `${bytes} bytes`);
    }
    assert.equal(classBytes(0), MIN_BLOCK);
  });

  test('a request above the largest block gets an ArrayBuffer of its own, of exactly that size', () => {
    const pool = new SlabPool();
    const b = pool.alloc(MAX_BLOCK + 1);
    assert.equal(b.slab, null);
    assert.equal(b.buffer.byteLength, MAX_BLOCK + 1);
    assert.equal(pool.stats().slabs, 0);
    pool.free(b);
    assert.equal(pool.stats().blockBytes, 0);
  });

  test('bad sizes and a second free are refused', () => {
    const pool = new SlabPool();
    for (const bad of [0, -1, Number.NaN]) assert.throws(() => pool.alloc(bad), RangeError);
    const b = pool.alloc(100);
    pool.free(b);
    assert.throws(() => pool.free(b), /freed twice/);
    assert.deepEqual(pool.stats(), { slabs: 0, emptySlabs: 1, blockBytes: 0 });
  });

  test('a freed block is handed out again before a new slab is taken', () => {
    const pool = new SlabPool();
    const a = pool.alloc(4096);
    const b = pool.alloc(4096);
    pool.free(a);
    const c = pool.alloc(4000);
    assert.equal(c.buffer, a.buffer);
    assert.equal(c.offset, a.offset);
    assert.notEqual(c.offset, b.offset);
  });

  test('an emptied slab serves any size class; only keepEmpty empty slabs are kept', () => {
    const pool = new SlabPool(1);
    const small = Array.from({ length: SLAB_BYTES / MIN_BLOCK }, () => pool.alloc(MIN_BLOCK));
    assert.equal(pool.stats().slabs, 1);
    const slab = small[0]!.buffer;
    for (const b of small) pool.free(b);
    const big = pool.alloc(MAX_BLOCK);
    assert.equal(big.buffer, slab, 'the emptied slab is reused for another class');
    const other = [pool.alloc(MAX_BLOCK), pool.alloc(MAX_BLOCK), pool.alloc(MAX_BLOCK)];
    assert.equal(pool.stats().slabs, 2);
    for (const b of [big, ...other]) pool.free(b);
    assert.deepEqual(pool.stats(), { slabs: 0, emptySlabs: 1, blockBytes: 0 });
  });

  test('any sequence of allocs and frees: live blocks never overlap, fit their buffer, and are all returned', () => {
    const op = fc.oneof(fc.record({ alloc: fc.integer({ min: 1, max: MAX_BLOCK + 4096 }) }), fc.record({ free: fc.nat() }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), fc.nat(4), (ops, keep) => {
        const pool = new SlabPool(keep);
        const live: Array<{ block: Block; asked: number }> = [];
        for (const o of ops) {
          if ('alloc' in o) {
            const block = pool.alloc(o.alloc);
            assert.ok(block.bytes >= o.alloc);
            assert.ok(block.offset >= 0 && block.offset + block.bytes <= block.buffer.byteLength);
            assert.equal(block.offset % 4, 0);
            for (const other of live) {
              if (other.block.buffer !== block.buffer) continue;
              const apart = other.block.offset + other.block.bytes <= block.offset || block.offset + block.bytes <= other.block.offset;
              assert.ok(apart, 'two live blocks overlap');
            }
            live.push({ block, asked: o.alloc });
          } else if (live.length > 0) {
            pool.free(live.splice(o.free % live.length, 1)[0]!.block);
          }
          assert.equal(
            pool.stats().blockBytes,
            live.reduce((s, l) => s + l.block.bytes, 0),
          );
        }
        for (const l of live) pool.free(l.block);
        const s = pool.stats();
        assert.equal(s.slabs, 0);
        assert.equal(s.blockBytes, 0);
        assert.ok(s.emptySlabs <= keep);
      }),
      { numRuns: 300, seed: 12 },
    );
  });
});
