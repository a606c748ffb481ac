import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAccessPolicy, type AccessMode } from './access-policy.js';

const listed = 'L'.repeat(20);
const other = 'O'.repeat(20);
const hashes = new Set([listed]);

const rows: Array<{ mode: AccessMode; listed: boolean; other: boolean; size: number }> = [
  { mode: 'open', listed: true, other: true, size: 0 },
  { mode: 'whitelist', listed: true, other: false, size: 1 },
  { mode: 'blacklist', listed: false, other: true, size: 1 },
];

describe('createAccessPolicy', () => {
  for (const row of rows) {
    test(row.mode, () => {
      const policy = createAccessPolicy(row.mode, hashes);
      assert.equal(policy.mode, row.mode);
      assert.equal(policy.size, row.size);
      assert.equal(policy.allows(listed), row.listed);
      assert.equal(policy.allows(other), row.other);
      assert.equal(policy.allows(''), row.other);
      assert.ok(Object.isFrozen(policy));
    });
  }

  test('whitelist with an empty list refuses everything (missing file at startup)', () => {
    assert.equal(createAccessPolicy('whitelist', new Set()).allows(listed), false);
  });

  test('unknown mode throws', () => {
    assert.throws(() => createAccessPolicy('closed' as AccessMode, hashes), /unknown access mode: "closed"/);
  });
});
