import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseStorePrefix, parseStoreSpec, redactStoreUrl } from './store-url.js';

describe('--store', () => {
  test('memory and Redis URLs', () => {
    assert.deepEqual(parseStoreSpec('memory'), { kind: 'memory' });
    const r = parseStoreSpec('redis://tracker:s%40cret@10.0.0.5:6380/2');
    assert.equal(r.kind, 'redis');
    if (r.kind !== 'redis') return;
    assert.deepEqual(
      { ...r },
      {
        kind: 'redis',
        tls: false,
        host: '10.0.0.5',
        port: 6380,
        db: 2,
        username: 'tracker',
        password: 's@cret',
        display: 'redis://tracker:***@10.0.0.5:6380/2',
      },
    );
    const t = parseStoreSpec('rediss://:pw@redis.example.net');
    assert.ok(t.kind === 'redis' && t.tls && t.port === 6379 && t.db === 0 && t.username === null && t.password === 'pw');
    const v6 = parseStoreSpec('redis://[::1]:7000');
    assert.ok(v6.kind === 'redis' && v6.host === '::1' && v6.port === 7000 && v6.password === null);
  });

  test('bad values are errors that never show the password', () => {
    for (const bad of ['mysql://x', 'redis://', 'redis://h:1/abc', 'redis://h:99999', 'redis://h/1?x=1', 'redis', '']) {
      assert.throws(() => parseStoreSpec(bad), Error, bad);
    }
    assert.throws(
      () => parseStoreSpec('http://user:topsecret@h'),
      (e: Error) => !e.message.includes('topsecret'),
    );
    assert.throws(
      () => parseStoreSpec('redis://user:topsecret@h:1/x'),
      (e: Error) => !e.message.includes('topsecret'),
    );
  });

  test('redaction hides any password, whatever the text', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('redis', 'rediss', 'http'),
        fc.stringMatching(/^[a-z0-9]{0,8}$/),
        fc.stringMatching(/^[A-Za-z0-9!$&'()*+,;=%@-]{4,20}$/),
        fc.string({ maxLength: 20 }),
        (scheme, user, pw, rest) => {
          const text = `${scheme}://${user}:${pw}@host${rest.replace(/@/g, '')}`;
          const shown = redactStoreUrl(text);
          return !shown.includes(`:${pw}@`) && shown.includes('***');
        },
      ),
      { seed: 42, numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        try {
          parseStoreSpec(s);
        } catch (err) {
          assert.ok(err instanceof Error);
        }
        return true;
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  test('--store-prefix', () => {
    assert.equal(parseStorePrefix('site-a:'), 'site-a:');
    for (const bad of ['', 'a b', 'x'.repeat(65), 'é']) assert.throws(() => parseStorePrefix(bad));
  });
});
