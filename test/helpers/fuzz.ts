import fc from 'fast-check';

/**
 * Mutation fuzzing on top of fast-check: valid inputs from a generator, then a few byte-level edits
 * (flip, insert, delete, duplicate a slice, truncate, splice in a byte that means something to a parser).
 * Seeded by the caller, so a failure prints a seed and path that replay it exactly.
 */

/** Bytes that change how HTTP, query strings and BEP 15 packets are read. */
const SPECIAL: readonly number[] = [0x0d, 0x0a, 0x20, 0x3a, 0x25, 0x26, 0x3d, 0x2b, 0x3f, 0x2f, 0x00, 0xff, 0x7f, 0x09, 0x30, 0x39, 0x41];

export type Mutation =
  | { readonly kind: 'flip'; readonly pos: number; readonly bit: number }
  | { readonly kind: 'set'; readonly pos: number; readonly byte: number }
  | { readonly kind: 'insert'; readonly pos: number; readonly bytes: readonly number[] }
  | { readonly kind: 'delete'; readonly pos: number; readonly len: number }
  | { readonly kind: 'dup'; readonly pos: number; readonly len: number }
  | { readonly kind: 'truncate'; readonly pos: number };

const byteArb = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...SPECIAL));

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), pos: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), pos: fc.nat(), byte: byteArb }),
  fc.record({ kind: fc.constant('insert' as const), pos: fc.nat(), bytes: fc.array(byteArb, { minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), pos: fc.nat(), len: fc.integer({ min: 1, max: 16 }) }),
  fc.record({ kind: fc.constant('dup' as const), pos: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('truncate' as const), pos: fc.nat() }),
);

export function applyMutations(input: Uint8Array, mutations: readonly Mutation[]): Buffer {
  let b = Buffer.from(input);
  for (const m of mutations) {
    const at = b.length === 0 ? 0 : m.pos % (b.length + 1);
    switch (m.kind) {
      case 'flip':
        if (at < b.length) b[at] = b[at]! ^ (1 << m.bit);
        break;
      case 'set':
        if (at < b.length) b[at] = m.byte;
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(m.bytes), b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
        break;
      case 'dup':
        b = Buffer.concat([b.subarray(0, at + m.len), b.subarray(at, at + m.len), b.subarray(at + m.len)]);
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
    }
  }
  return b;
}

/** `base` with 1-5 mutations. */
export function mutated(base: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Buffer> {
  return fc.tuple(base, fc.array(mutationArb, { minLength: 1, maxLength: 5 })).map(([b, ms]) => applyMutations(b, ms));
}

/** Splits `data` at the given cut points (any numbers; taken modulo the length). */
export function splitAt(data: Buffer, cuts: readonly number[]): Buffer[] {
  if (data.length === 0) return [data];
  const points = [...new Set(cuts.map((c) => c % data.length))].filter((c) => c > 0).sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(data.subarray(prev, p));
    prev = p;
  }
  out.push(data.subarray(prev));
  return out;
}

/** Byte strings as latin1 text, the way sockets hand them to the tracker. */
export function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

export function bytesOf(s: string): Buffer {
  return Buffer.from(s, 'latin1');
}

/** BEP 15 requests: connect, announce (with optional BEP 41 tail) and scrape packets, with fields over their whole ranges. */
export const udpPacketArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.record({ magic: fc.oneof(fc.constant(true), fc.boolean()), txid: fc.nat() }).map(({ magic, txid }) => {
    const b = Buffer.alloc(16);
    if (magic) {
      b.writeUInt32BE(0x417, 0);
      b.writeUInt32BE(0x27101980, 4);
    }
    b.writeUInt32BE(txid >>> 0, 12);
    return b;
  }),
  fc
    .record({
      cid: fc.uint8Array({ minLength: 8, maxLength: 8 }),
      txid: fc.nat(),
      body: fc.uint8Array({ minLength: 40, maxLength: 40 }),
      nums: fc.array(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { minLength: 3, maxLength: 3 }),
      event: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.nat()),
      numWant: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      port: fc.integer({ min: 0, max: 65535 }),
      tail: fc.uint8Array({ maxLength: 40 }),
    })
    .map((f) => {
      const b = Buffer.alloc(98);
      Buffer.from(f.cid).copy(b, 0);
      b.writeUInt32BE(1, 8);
      b.writeUInt32BE(f.txid >>> 0, 12);
      Buffer.from(f.body).copy(b, 16);
      f.nums.forEach((n, i) => b.writeBigUInt64BE(n, 56 + 8 * i));
      b.writeUInt32BE(f.event >>> 0, 80);
      b.writeInt32BE(f.numWant, 92);
      b.writeUInt16BE(f.port, 96);
      return Buffer.concat([b, f.tail]);
    }),
  // 0-80 hashes and a partial one: sizes fast-check's small default arrays would rarely reach
  fc
    .record({
      cid: fc.uint8Array({ minLength: 8, maxLength: 8 }),
      txid: fc.nat(),
      count: fc.integer({ min: 0, max: 80 }),
      extra: fc.integer({ min: 0, max: 19 }),
      seed: fc.nat(),
    })
    .map((f) => {
      const b = Buffer.alloc(16 + 20 * f.count + f.extra);
      Buffer.from(f.cid).copy(b, 0);
      b.writeUInt32BE(2, 8);
      b.writeUInt32BE(f.txid >>> 0, 12);
      let x = f.seed | 1;
      for (let i = 16; i < b.length; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        b[i] = x & 0xff;
      }
      return b;
    }),
);
