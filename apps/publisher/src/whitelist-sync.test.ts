import { test } from 'node:test';
import assert from 'node:assert/strict';
import { memoryLogger } from '../../../test/helpers/memory-log.js';
import type { TrackerSignaller } from './tracker-signal.js';
import type { WhitelistFile } from './whitelist-file.js';
import { createWhitelistSync } from './whitelist-sync.js';

/** A whitelist whose first write fails (a lock held too long, a full disk), then works. */
function flakyWhitelist() {
  let pending = true;
  let calls = 0;
  const wl = {
    file: '/srv/whitelist',
    hasPending: () => pending,
    async flush() {
      calls++;
      if (calls === 1) throw Object.assign(new Error('locked'), { code: 'ELOCKED' });
      pending = false;
      return { added: ['a'.repeat(40)], removed: [] };
    },
  };
  return { wl: wl as unknown as WhitelistFile, calls: () => calls };
}

function setup(retry: boolean) {
  const { wl, calls } = flakyWhitelist();
  const { log, lines: records } = memoryLogger('debug');
  let signals = 0;
  let failures = 0;
  const signaller = {
    request: () => {
      signals++;
    },
    flush: async () => undefined,
    busy: () => false,
  } as TrackerSignaller;
  const sync = createWhitelistSync({
    whitelist: wl,
    signaller,
    dryRun: false,
    log,
    onFailure: () => {
      failures++;
    },
    retry,
    confirmTimeoutMs: 1000,
  });
  return { sync, calls, records, signals: () => signals, failures: () => failures };
}

test('a failed whitelist write is logged as an error and retried on a timer, then the tracker is signalled', async () => {
  const s = setup(true);
  await s.sync.sync();
  assert.equal(s.failures(), 1);
  const err = s.records.find((r) => r['level'] === 50);
  assert.equal(err?.['code'], 'ELOCKED');
  assert.equal(err?.['retryInMs'], 2000);
  const t0 = Date.now();
  while (s.signals() === 0 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 50));
  assert.equal(s.calls(), 2, 'retried without any new release event');
  assert.equal(s.signals(), 1);
  s.sync.close();
});

test('--once: no retry timer (the run exits 1 instead)', async () => {
  const s = setup(false);
  await s.sync.sync();
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(s.calls(), 1);
  assert.equal(s.records.find((r) => r['level'] === 50)?.['retryInMs'], undefined);
  s.sync.close();
});

test('live(): rejects while the hash is not on the list; waits for the reload, at most confirmTimeoutMs, then warns', async () => {
  const { log, lines: records } = memoryLogger('debug');
  const A = 'a'.repeat(40);
  let writable = false;
  const pending = new Set<string>([A]);
  const wl = {
    file: '/srv/whitelist',
    hasPending: () => pending.size > 0,
    isPending: (h: string) => pending.has(h),
    async flush() {
      if (!writable) throw Object.assign(new Error('read-only'), { code: 'EROFS' });
      pending.clear();
      return { added: [A], removed: [] };
    },
  } as unknown as WhitelistFile;
  let settle: (o: 'confirmed') => void = () => undefined;
  const asked: string[][] = [];
  const signaller = {
    request: (h: readonly string[] = []) => {
      asked.push([...h]);
    },
    settled: () =>
      new Promise((r) => {
        settle = r;
      }),
    flush: async () => undefined,
    busy: () => false,
  } as unknown as TrackerSignaller;
  const sync = createWhitelistSync({
    whitelist: wl,
    signaller,
    dryRun: false,
    log,
    onFailure: () => undefined,
    retry: false,
    confirmTimeoutMs: 150,
  });
  await assert.rejects(sync.live([A]), { code: 'EWHITELIST' });
  assert.deepEqual(asked, [], 'no reload for a list that was not written');

  writable = true;
  const confirmed = sync.live([A]);
  await new Promise((r) => setTimeout(r, 20));
  settle('confirmed');
  assert.equal(await confirmed, 'confirmed');
  assert.deepEqual(asked.at(-1), [A], 'the reload is asked for the new hash');

  const t0 = Date.now();
  assert.equal(await sync.live([A]), 'timeout', 'a tracker that never answers');
  assert.ok(Date.now() - t0 < 1000);
  assert.ok(records.some((r) => String(r['msg']).startsWith('the tracker did not confirm') && r['waitedMs'] === 150));
  sync.close();
});
