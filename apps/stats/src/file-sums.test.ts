import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { createLogger } from '../../../libs/common/src/log.js';
import { FileSums, parseSumsCache } from './file-sums.js';

const log = createLogger('stats', 'silent');
const sha = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex');

describe('FileSums', () => {
  test('computed in the background, recomputed after a change, kept across restarts, nothing outside the folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sums-'));
    try {
      const rel = path.join(dir, 'releases');
      fs.mkdirSync(path.join(rel, 'r', 'sub'), { recursive: true });
      fs.writeFileSync(path.join(rel, 'r', 'a.txt'), 'alpha');
      fs.writeFileSync(path.join(rel, 'r', 'sub', 'b.txt'), 'beta');
      fs.writeFileSync(path.join(dir, 'secret'), 'x');
      fs.symlinkSync(path.join(dir, 'secret'), path.join(rel, 'r', 'link'));
      const cache = path.join(dir, 'sums.json');
      const want = ['r/a.txt', 'r/sub/b.txt', 'r/missing', 'r/link', '../secret', 'r/../../secret'];

      const s1 = new FileSums(rel, cache, log);
      assert.equal((await s1.lookup(want)).size, 0, 'nothing known at first');
      await s1.idle();
      assert.deepEqual(Object.fromEntries(await s1.lookup(want)), { 'r/a.txt': sha('alpha'), 'r/sub/b.txt': sha('beta') });

      fs.writeFileSync(path.join(rel, 'r', 'a.txt'), 'ALPHA, longer');
      assert.deepEqual([...(await s1.lookup(['r/a.txt'])).keys()], [], 'a changed file is not shown with its old sum');
      await s1.idle();
      assert.equal((await s1.lookup(['r/a.txt'])).get('r/a.txt'), sha('ALPHA, longer'));
      await s1.close();

      const s2 = new FileSums(rel, cache, log);
      assert.equal((await s2.lookup(['r/sub/b.txt'])).get('r/sub/b.txt'), sha('beta'), 'from the saved cache, no hashing needed');
      await s2.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('property: any cache text gives a valid map', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        for (const [k, v] of parseSumsCache(text)) {
          assert.equal(typeof k, 'string');
          assert.match(v.sha256, /^[0-9a-f]{64}$/);
        }
      }),
      { seed: 42, numRuns: 500 },
    );
    assert.equal(
      parseSumsCache(JSON.stringify({ version: 1, files: { a: { stamp: '1', sha256: 'a'.repeat(64) }, b: { stamp: 1 } } })).size,
      1,
    );
  });
});
