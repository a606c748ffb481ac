import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createTrackerSignaller } from '../../apps/publisher/src/tracker-signal.js';
import { freePort } from '../helpers/free-port.js';
import { bin } from '../helpers/repo-paths.js';
import { exitWithin, processAlive, runApp } from '../helpers/app-process.js';
import { sleep } from '../helpers/wait.js';
import { memoryLogger as capture } from '../helpers/memory-log.js';
import { loopbackTrackerArgs } from '../helpers/tracker-args.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * One instance per set of files: a second tracker or suite on the same files exits at once (code 2, the
 * first one's pid in the message) instead of fighting over ports and files; the lock dies with its holder,
 * even on kill -9. And the publisher signals only a pid it can tie to the tracker.
 */
const dirs: Array<{ remove(): void }> = [];
after(() => {
  for (const d of dirs) d.remove();
});

function trackerArgs(dir: string): string[] {
  const wl = path.join(dir, 'whitelist');
  if (!fs.existsSync(wl)) fs.writeFileSync(wl, '');
  return loopbackTrackerArgs({ whitelist: wl, pidFile: path.join(dir, 'tracker.pid'), stateFile: path.join(dir, 'data', 'tracker.state') });
}

test('a second tracker on the same state file exits 2 at once naming the first; after kill -9 of the first it starts', async () => {
  const t = makeTempDir('ops-it-');
  dirs.push(t);
  const first = runApp(bin('tracker'), trackerArgs(t.dir));
  await first.waitLine((r) => String(r['msg']).startsWith('ready: announce '));
  const second = runApp(bin('tracker'), trackerArgs(t.dir));
  assert.equal(await exitWithin(second, 5000), 2);
  assert.match(second.stderr(), new RegExp(`another process \\(pid ${first.pid}\\) is already running a tracker on .*tracker\\.state`));
  assert.ok(first.alive());
  first.child.kill('SIGKILL');
  await first.exited;
  const third = runApp(bin('tracker'), trackerArgs(t.dir));
  await third.waitLine((r) => String(r['msg']).startsWith('ready: announce '));
  third.child.kill('SIGTERM');
  assert.equal(await exitWithin(third, 5000), 0);
});

test('a second `npm start` on the same data folder exits 2 at once, without a restart loop', async () => {
  const t = makeTempDir('ops-it-');
  dirs.push(t);
  const env = { TRACKER_PORT: String(await freePort('::')), STATS_PORT: String(await freePort('::')), BIND_HOST: '127.0.0.1' };
  const first = runApp(bin('suite'), [], { cwd: t.dir, env });
  await first.waitLine((r) => /^ready: open http:\/\/127\.0\.0\.1:\d+\/ and drop files into /.test(String(r['msg'])), 30_000);
  const started = Date.now();
  const second = runApp(bin('suite'), [], { cwd: t.dir, env });
  assert.equal(await exitWithin(second, 8000), 2);
  assert.ok(Date.now() - started < 8000);
  assert.match(second.stderr(), /suite: another process \(pid \d+\) is already running a tracker on /);
  assert.doesNotMatch(second.lines().join('\n'), /restarting/);
  first.child.kill('SIGTERM');
  assert.equal(await exitWithin(first, 8000), 0);
});

test('a second suite on other files but the same ports exits 2 naming the port setting', async () => {
  const a = makeTempDir('ops-it-');
  const b = makeTempDir('ops-it-');
  dirs.push(a, b);
  const env = { TRACKER_PORT: String(await freePort('::')), STATS_PORT: String(await freePort('::')), BIND_HOST: '127.0.0.1' };
  const first = runApp(bin('suite'), [], { cwd: a.dir, env });
  await first.waitLine((r) => /^ready: /.test(String(r['msg'])), 30_000);
  const second = runApp(bin('suite'), [], { cwd: b.dir, env });
  assert.equal(await exitWithin(second, 8000), 2);
  assert.match(second.stderr(), /suite: tracker: the address is already in use .*TRACKER_PORT/);
  first.child.kill('SIGTERM');
  assert.equal(await exitWithin(first, 8000), 0);
});

test('a stale pid file naming a live `sleep`: the publisher does not signal it; a real tracker it does', async () => {
  const t = makeTempDir('ops-it-');
  dirs.push(t);
  const pidFile = path.join(t.dir, 'tracker.pid');
  const bystander = spawn('sleep', ['1000'], { stdio: 'ignore' });
  try {
    await sleep(100);
    fs.writeFileSync(pidFile, `${bystander.pid}\n`);
    const { log, lines } = capture();
    const signaller = createTrackerSignaller({ pidFile, reloadCommand: null, coalesceMs: 0, timeoutMs: 1000, log });
    signaller.request();
    await signaller.flush();
    await sleep(200);
    assert.ok(processAlive(bystander.pid!), 'the sleep survived');
    assert.equal(bystander.exitCode, null);
    assert.ok(
      lines.some((l) => /not signalled: pid \d+ is not a tracker but "sleep 1000"/.test(String(l['msg']))),
      JSON.stringify(lines),
    );
  } finally {
    bystander.kill('SIGKILL');
  }

  const tracker = runApp(bin('tracker'), trackerArgs(t.dir));
  try {
    await tracker.waitLine((r) => String(r['msg']).startsWith('ready: announce '));
    const { log, lines } = capture();
    const signaller = createTrackerSignaller({ pidFile, reloadCommand: null, coalesceMs: 0, timeoutMs: 1000, log });
    signaller.request();
    await signaller.flush();
    assert.ok(
      lines.some((l) => l['msg'] === 'sent SIGHUP to tracker'),
      JSON.stringify(lines),
    );
    await tracker.waitLine((r) => r['msg'] === 'SIGHUP: reloading the access list', 5000);
  } finally {
    tracker.child.kill('SIGKILL');
  }
});
