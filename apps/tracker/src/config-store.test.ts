import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../libs/common/src/config/config-error.js';
import { parseTrackerConfig, type TrackerConfig } from './config.js';

const CWD = '/srv/tracker';
function parse(argv: string[], env: Record<string, string | undefined> = {}, files: Record<string, string> = {}): TrackerConfig {
  const r = parseTrackerConfig(argv, {
    cwd: CWD,
    env,
    version: '1',
    readFile: (p) => {
      const t = files[p];
      if (t === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return t;
    },
  });
  assert.ok(r.kind === 'config');
  return r.config;
}

describe('store settings', () => {
  test('memory by default, prefix rts:', () => {
    const c = parse([]);
    assert.deepEqual(c.store, { kind: 'memory' });
    assert.equal(c.storePrefix, 'rts:');
    assert.equal(c.storePasswordFile, null);
  });

  test('flag, directive and TRACKER_STORE; the flag wins over the environment', () => {
    assert.equal(parse(['--store', 'redis://r1:6379/1']).store.kind, 'redis');
    const f = parse(
      ['-f', '/etc/t.conf'],
      {},
      { '/etc/t.conf': 'tracker.store rediss://u:p@r2:6380\ntracker.store_prefix site-b:\ntracker.store_password_file secrets/redis\n' },
    );
    assert.ok(f.store.kind === 'redis' && f.store.tls && f.store.host === 'r2');
    assert.equal(f.storePrefix, 'site-b:');
    assert.equal(f.storePasswordFile, `${CWD}/secrets/redis`);
    const e = parse([], { TRACKER_STORE: 'redis://env-host:6379' });
    assert.ok(e.store.kind === 'redis' && e.store.host === 'env-host');
    const both = parse(['--store', 'memory'], { TRACKER_STORE: 'redis://env-host:6379' });
    assert.equal(both.store.kind, 'memory');
  });

  test('a bad store value names its source and hides the password', () => {
    assert.throws(
      () => parse(['--store', 'redis://u:hunter2@h:1/x']),
      (e: Error) => e instanceof ConfigError && /--store/.test(e.message) && !e.message.includes('hunter2'),
    );
    assert.throws(
      () => parse([], { TRACKER_STORE: 'mongodb://u:hunter2@h' }),
      (e: Error) => e instanceof ConfigError && /TRACKER_STORE/.test(e.message) && !e.message.includes('hunter2'),
    );
    assert.throws(() => parse(['--store-prefix', 'has space']), ConfigError);
  });
});
