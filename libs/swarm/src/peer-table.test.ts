import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { PeerTable, tableStorage } from './peer-table.js';

function addr4(n: number): Buffer {
  const b = Buffer.alloc(6);
  b.writeUInt32BE(0x0a000000 + (n >>> 16), 0);
  b.writeUInt16BE(n & 0xffff, 4);
  return b;
}

/** Drives a PeerTable and a Map side by side with a seeded random sequence of operations. */
function modelCheck(seed: number, ops: number, keySpace: number): void {
  let s = seed;
  const rnd = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
  const t = new PeerTable(6);
  const model = new Map<string, { seeder: boolean; minute: number }>();
  for (let op = 0; op < ops; op++) {
    const k = Math.floor(rnd() * keySpace);
    const a = addr4(k);
    const key = a.toString('hex');
    const r = rnd();
    const minute = op;
    if (r < 0.6) {
      const seeder = rnd() < 0.3;
      const i = t.find(a, 0);
      if (i < 0) t.add(a, 0, seeder, false, minute);
      else t.update(i, seeder, false, minute);
      model.set(key, { seeder, minute });
    } else if (r < 0.95) {
      const i = t.find(a, 0);
      assert.equal(i >= 0, model.has(key), `find ${key} at op ${op}`);
      if (i >= 0) t.remove(i);
      model.delete(key);
    } else {
      const cut = minute - Math.floor(rnd() * 50);
      t.expire(cut);
      for (const [mk, v] of model) if (v.minute < cut) model.delete(mk);
    }
    assert.equal(t.count, model.size, `count at op ${op}`);
  }
  let seeders = 0;
  for (const [mk, v] of model) {
    const i = t.find(Buffer.from(mk, 'hex'), 0);
    assert.ok(i >= 0, `${mk} present`);
    assert.equal(t.isSeeder(i), v.seeder);
    assert.equal(t.lastSeen(i), v.minute);
    if (v.seeder) seeders++;
  }
  assert.equal(t.seeders, seeders);
}

describe('PeerTable', () => {
  for (const [name, seed, ops, keys] of [
    ['small swarm, linear scan only', 1, 2000, 20],
    ['grows past the hash threshold and back', 7, 20000, 300],
    ['large swarm with collisions in the slot index', 99, 30000, 5000],
    ['churn on a handful of peers', 12345, 5000, 3],
  ] as const) {
    test(`agrees with a Map model: ${name}`, () => modelCheck(seed, ops, keys));
  }

  test('select never returns the excluded peer and returns distinct peers', () => {
    const t = new PeerTable(6);
    for (let k = 0; k < 100; k++) t.add(addr4(k), 0, false, false, 1);
    for (const [want, exclude, start] of [
      [50, 10, 0],
      [99, 0, 5],
      [200, 99, 99],
      [1, 3, 3],
      [0, -1, 0],
      [100, -1, 42],
    ] as const) {
      const out = Buffer.alloc(want * 6);
      const n = t.select(out, 0, want, exclude, start);
      assert.equal(n, Math.min(want, exclude >= 0 ? 99 : 100));
      const seen = new Set<string>();
      for (let p = 0; p < n; p++) {
        const hex = out.subarray(p * 6, p * 6 + 6).toString('hex');
        assert.notEqual(hex, exclude >= 0 ? addr4(exclude).toString('hex') : '', 'excluded peer returned');
        assert.ok(!seen.has(hex), 'duplicate peer');
        seen.add(hex);
      }
    }
  });

  test('a single peer gets nobody back, not itself', () => {
    const t = new PeerTable(6);
    const i = t.add(addr4(1), 0, false, false, 1);
    assert.equal(t.select(Buffer.alloc(60), 0, 10, i, 0), 0);
  });

  test('IPv6 entries are 18 bytes and are found again', () => {
    const t = new PeerTable(18);
    const a = Buffer.alloc(18, 0xab);
    const b = Buffer.alloc(18, 0xab);
    b[17] = 1;
    t.add(a, 0, true, false, 5);
    assert.equal(t.find(b, 0), -1);
    t.add(b, 0, false, false, 5);
    assert.equal(t.find(b, 0), 1);
    assert.equal(t.seeders, 1);
  });

  test('past 65,534 peers the 16-bit slot index gives way to a 32-bit one, and back when it shrinks', () => {
    const t = new PeerTable(6);
    const n = 100_000;
    for (let k = 0; k < n; k++) t.add(addr4(k), 0, false, false, 1);
    for (let k = 0; k < n; k++) assert.equal(t.find(addr4(k), 0) >= 0, true, `peer ${k} found`);
    assert.equal(t.find(addr4(n), 0), -1);
    // remove the first 95,000: the table shrinks below the 16-bit bound and must still find the rest
    for (let k = 0; k < 95_000; k++) t.remove(t.find(addr4(k), 0));
    assert.equal(t.count, n - 95_000);
    for (let k = 0; k < n; k++) assert.equal(t.find(addr4(k), 0) >= 0, k >= 95_000, `peer ${k}`);
  });

  test('memory stays compact at 1,000 peers', () => {
    const t = new PeerTable(6);
    for (let k = 0; k < 1000; k++) t.add(addr4(k), 0, false, false, 1);
    // 10 bytes of address and flags in a 12 KiB block (capacity 1,228), plus a 2,048-slot index of 2 bytes each
    assert.equal(t.byteSize, 12_288 + 4096);
    t.release();
  });

  test('a table dropped without release() hands its blocks back once collected', () => {
    // in a child with the collector exposed: the FinalizationRegistry is the net under the store's release()
    const script = `
      const { PeerTable, tableStorage } = await import(${JSON.stringify(new URL('./peer-table.js', import.meta.url).href)});
      const a = Buffer.alloc(6);
      let tables = Array.from({ length: 50 }, (_, t) => {
        const table = new PeerTable(6);
        for (let k = 0; k < 500; k++) { a.writeUInt32BE(t, 0); a.writeUInt16BE(k + 1, 4); table.add(a, 0, false, false, 1); }
        return table;
      });
      const held = tableStorage.stats().blockBytes;
      tables = null;
      for (let i = 0; i < 10 && tableStorage.stats().blockBytes > 0; i++) {
        gc();
        await new Promise((r) => setTimeout(r, 20));
      }
      console.log(JSON.stringify({ held, after: tableStorage.stats().blockBytes }));
    `;
    const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { encoding: 'utf8' });
    const { held, after } = JSON.parse(out) as { held: number; after: number };
    assert.ok(held >= 50 * 5000, `blocks held by the tables: ${held}`);
    assert.equal(after, 0);
  });

  test("tables sharing the block pool never see each other's peers, through growth, shrinking and release", () => {
    // use-after-free or overlapping blocks would show here as a peer found in the wrong table or lost
    let s = 2024;
    const rnd = (): number => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s / 2 ** 32;
    };
    const used = tableStorage.stats().blockBytes;
    const tables = Array.from({ length: 6 }, () => new PeerTable(6));
    const models = tables.map(() => new Set<number>());
    for (let op = 0; op < 60_000; op++) {
      const w = Math.floor(rnd() * tables.length);
      const t = tables[w]!;
      const model = models[w]!;
      const r = rnd();
      if (r < 0.0005) {
        t.release();
        tables[w] = new PeerTable(6);
        model.clear();
      } else if (r < 0.7 || model.size < 20) {
        // peer keys are unique across tables, so a peer found in another table is a sharing bug
        const k = w * 1_000_000 + Math.floor(rnd() * 3000);
        if (t.find(addr4(k), 0) < 0) t.add(addr4(k), 0, false, false, op);
        model.add(k);
      } else {
        const ks = [...model];
        const k = ks[Math.floor(rnd() * ks.length)]!;
        t.remove(t.find(addr4(k), 0));
        model.delete(k);
        if (rnd() < 0.01)
          for (const drop of ks.slice(0, Math.floor(ks.length * 0.9))) {
            const i = t.find(addr4(drop), 0);
            if (i >= 0) t.remove(i);
            model.delete(drop);
          }
      }
    }
    for (let w = 0; w < tables.length; w++) {
      const t = tables[w]!;
      assert.equal(t.count, models[w]!.size);
      for (const k of models[w]!) assert.ok(t.find(addr4(k), 0) >= 0, `table ${w} lost peer ${k}`);
      const out = Buffer.alloc(t.count * 6);
      assert.equal(t.select(out, 0, t.count, -1, 0), t.count);
      for (let p = 0; p < t.count; p++) {
        const k = ((out.readUInt32BE(p * 6) - 0x0a000000) << 16) + out.readUInt16BE(p * 6 + 4);
        assert.ok(models[w]!.has(k), `table ${w} holds a peer it was never given: ${k}`);
      }
      t.release();
      assert.equal(t.count, 0);
    }
    assert.equal(tableStorage.stats().blockBytes, used, 'every block handed back');
  });
});
