import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTrackerProcess, type TrackerProcess } from '../helpers/tracker-process.js';
import { httpGet } from '../helpers/http-client.js';
import { redisTestbed, storeConnected } from '../helpers/redis-testbed.js';

/** A Redis with a password: from the URL, REDIS_PASSWORD or --store-password-file; never in a log line or /stats. */
const SECRET = 'Sup3r-s3cret-pw';
const bed = redisTestbed(['--requirepass', SECRET]);

async function connects(args: string[], env: NodeJS.ProcessEnv = {}, setup?: (dir: string) => void): Promise<TrackerProcess> {
  const dir = fs.mkdtempSync(path.join(process.env['TMPDIR'] ?? '/tmp', 'auth-it-'));
  setup?.(dir);
  const p = await startTrackerProcess({ dir, args, env });
  bed.procs.push(p);
  await storeConnected(p);
  const stats = (await httpGet(p.httpPort, '/stats?mode=json')).body.toString();
  assert.ok(!stats.includes(SECRET), 'password in /stats');
  assert.match(stats, /"connected":true/);
  return p;
}

describe('Redis password', () => {
  test('in the URL: connects, and the logs show *** instead', async () => {
    const p = await connects(['--store', `redis://:${SECRET}@127.0.0.1:${bed.redis.port}`]);
    const logs = p.logs().join('\n') + p.stderr();
    assert.ok(!logs.includes(SECRET), 'password in the logs');
    assert.match(logs, /redis:\/\/:\*\*\*@127\.0\.0\.1/);
  });

  test('from REDIS_PASSWORD and from --store-password-file', async () => {
    const a = await connects(['--store', bed.redis.url], { REDIS_PASSWORD: SECRET });
    assert.ok(!(a.logs().join('\n') + a.stderr()).includes(SECRET));
    const b = await connects(['--store', bed.redis.url, '--store-password-file', 'redis.pw'], {}, (dir) =>
      fs.writeFileSync(path.join(dir, 'redis.pw'), `${SECRET}\n`),
    );
    assert.ok(!(b.logs().join('\n') + b.stderr()).includes(SECRET));
  });

  test('a wrong password: the tracker still answers, degraded, and says why without the password', async () => {
    const p = await startTrackerProcess({ args: ['--store', `redis://:wrong-${SECRET}@127.0.0.1:${bed.redis.port}`] });
    bed.procs.push(p);
    await p.waitForLog((r) => /redis/.test(String(r.msg)) && /WRONGPASS|NOAUTH|invalid/i.test(String(r['err'])), 10000);
    const st = JSON.parse((await httpGet(p.httpPort, '/stats?mode=json')).body.toString()) as { store: { connected: boolean } };
    assert.equal(st.store.connected, false);
    assert.ok(!(p.logs().join('\n') + p.stderr()).includes(SECRET));
  });
});
