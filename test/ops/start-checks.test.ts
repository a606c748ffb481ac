import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { hostHasIpv6 } from '../../libs/common/src/suite-env.js';
import { httpGet } from '../helpers/http-client.js';
import { udpConnect } from '../helpers/udp-client.js';
import { freePort } from '../helpers/free-port.js';
import { REPO_ROOT, bin } from '../helpers/repo-paths.js';
import { exitWithin, runApp } from '../helpers/app-process.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { loopbackTrackerArgs } from '../helpers/tracker-args.js';

/** What cannot work is refused at start, in one style for every app, with exit code 2. */
const dirs: Array<{ remove(): void }> = [];
after(() => {
  for (const d of dirs) d.remove();
});

test('every app words an unknown option the same way, suggests the right one and exits 2', async () => {
  const t = makeTempDir('ops-it-');
  dirs.push(t);
  const rows: Array<[string, string[], string]> = [
    ['tracker', ['--state-fiel', 'x'], 'tracker: unknown option --state-fiel (did you mean --state-file?)'],
    ['publisher', ['--releses', 'x'], 'publisher: unknown option --releses (did you mean --releases?)'],
    ['stats', ['--porrt', '8080'], 'stats: unknown option --porrt (did you mean --port?)'],
    ['suite', ['--confg', 'x'], 'suite: unknown option --confg (did you mean --config?)'],
  ];
  for (const [app, args, message] of rows) {
    const p = runApp(bin(app), args, { cwd: t.dir });
    assert.equal(await exitWithin(p, 10_000), 2, app);
    assert.equal(p.stderr(), `${message}\nRun '${app} --help' for the options.\n`);
  }
});

test('suite: STATS_ARGS with a quoted title works; an unterminated quote is a usage error', async () => {
  const t = makeTempDir('ops-it-');
  dirs.push(t);
  const statsPort = await freePort('::');
  const env = {
    TRACKER_PORT: String(await freePort('::')),
    STATS_PORT: String(statsPort),
    BIND_HOST: '127.0.0.1',
    STATS_ARGS: '--title "Acme Downloads"',
  };
  const suite = runApp(bin('suite'), [], { cwd: t.dir, env });
  try {
    await suite.waitLine((r) => /^ready: /.test(String(r['msg'])), 30_000);
    const page = await httpGet(statsPort, '/');
    assert.match(page.body.toString(), /<title>[^<]*Acme Downloads/);
  } finally {
    suite.child.kill('SIGTERM');
    await exitWithin(suite, 8000);
  }
  const bad = runApp(bin('suite'), [], { cwd: t.dir, env: { ...env, STATS_ARGS: '--title "Acme' } });
  assert.equal(await exitWithin(bad, 10_000), 2);
  assert.match(bad.stderr(), /^suite: STATS_ARGS: unterminated " quote/);
});

test('tracker: a whitelist that is a folder stops it at start (exit 2)', async () => {
  const t = makeTempDir('ops-it-');
  dirs.push(t);
  fs.mkdirSync(path.join(t.dir, 'wl'));
  const p = runApp(bin('tracker'), loopbackTrackerArgs({ whitelist: path.join(t.dir, 'wl'), stateFile: path.join(t.dir, 'state') }));
  assert.equal(await exitWithin(p, 10_000), 2);
  assert.match(p.stderr(), /tracker: access list .*wl is not a regular file/);
});

const root = process.getuid?.() === 0;

test('tracker: a state folder the dropped user cannot write stops it at start (exit 2)', async () => {
  const t = makeTempDir('ops-it-');
  dirs.push(t);
  const stateDir = path.join(t.dir, 'state');
  fs.mkdirSync(stateDir, { mode: 0o700 });
  const wl = path.join(t.dir, 'wl');
  fs.writeFileSync(wl, '');
  fs.chmodSync(t.dir, 0o755);
  fs.chmodSync(wl, 0o644);
  // as root: drop to nobody, who cannot write root's 0700 folder (Debian's _opentracker case);
  // otherwise: a folder we made read-only ourselves
  if (!root) fs.chmodSync(stateDir, 0o500);
  const args = [
    ...loopbackTrackerArgs({ whitelist: wl, stateFile: path.join(stateDir, 'tracker.state') }),
    ...(root ? ['-u', 'nobody'] : []),
  ];
  const p = runApp(bin('tracker'), args);
  assert.equal(await exitWithin(p, 10_000), 2, p.stderr() + p.lines().join('\n'));
  assert.match(p.stderr(), new RegExp(`tracker: the state folder ${stateDir} is not writable by ${root ? 'user nobody' : 'uid'}`));
  fs.chmodSync(stateDir, 0o700);
});

test('IPv6 by default: a tracker with no -i answers ::1 and 127.0.0.1, over HTTP and UDP', {
  skip: hostHasIpv6() ? false : 'this host has no IPv6',
}, async () => {
  const d = makeTempDir('ops-it-');
  dirs.push(d);
  const wl = path.join(d.dir, 'wl');
  fs.writeFileSync(wl, '');
  const port = await freePort('::');
  const p = runApp(
    bin('tracker'),
    ['-p', String(port), '-P', String(port), '-w', wl, '--pid-file', 'none', '--state-file', path.join(d.dir, 'state')],
    { env: { BIND_HOST: undefined } },
  );
  try {
    const ready = await p.waitLine((r) => String(r['msg']).startsWith('ready: announce '));
    assert.deepEqual(ready['announce'], [`http://127.0.0.1:${port}/announce`, `udp://127.0.0.1:${port}/announce`]);
    for (const host of ['::1', '127.0.0.1']) {
      const r = await httpGet(port, '/stats?mode=tpbs&format=txt', {}, { host });
      assert.equal(r.status, 200, host);
      assert.equal((await udpConnect(port, { host })).length, 8, host);
    }
  } finally {
    p.child.kill('SIGTERM');
    await exitWithin(p, 5000);
  }
});

test('npm test tool check: with one tool missing from PATH and installing forbidden, it stops with the exact apt-get line', () => {
  const d = makeTempDir('ops-it-');
  dirs.push(d);
  // a PATH with the shell and every tool but mktorrent (stand-ins are enough: only their presence is checked)
  for (const tool of ['sh', 'id'])
    fs.symlinkSync(spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim(), path.join(d.dir, tool));
  for (const tool of ['aria2c', 'chromium', 'opentracker', 'redis-server', 'python3']) {
    fs.writeFileSync(path.join(d.dir, tool), '#!/bin/sh\n', { mode: 0o755 });
  }
  const check = path.join(REPO_ROOT, 'bin', 'check-test-tools');
  const run = spawnSync(path.join(d.dir, 'sh'), [check], { env: { PATH: d.dir, CHECK_TOOLS_NO_INSTALL: '1' }, encoding: 'utf8' });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /not installed: mktorrent\n/);
  assert.match(run.stderr, /^ {2}(sudo )?apt-get install -y --no-install-recommends mktorrent$/m);
  fs.writeFileSync(path.join(d.dir, 'mktorrent'), '#!/bin/sh\n', { mode: 0o755 });
  const ok = spawnSync(path.join(d.dir, 'sh'), [check], { env: { PATH: d.dir, CHECK_TOOLS_NO_INSTALL: '1' }, encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  // and npm test runs it first
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.match(pkg.scripts['test']!, /^\.\/bin\/check-test-tools && /);
});

test('IPv6 by default in npm start: the page and the tracker answer ::1 and 127.0.0.1; the ready line names an openable URL', {
  skip: hostHasIpv6() ? false : 'this host has no IPv6',
}, async () => {
  const d = makeTempDir('ops-it-');
  dirs.push(d);
  const trackerPort = await freePort('::');
  const statsPort = await freePort('::');
  const suite = runApp(bin('suite'), [], {
    cwd: d.dir,
    env: { BIND_HOST: undefined, TRACKER_PORT: String(trackerPort), STATS_PORT: String(statsPort) },
  });
  try {
    const ready = await suite.waitLine((r) => /^ready: /.test(String(r['msg'])), 30_000);
    assert.equal(ready['page'], `http://127.0.0.1:${statsPort}/`);
    assert.equal(ready['msg'], `ready: open http://127.0.0.1:${statsPort}/ and drop files into ${fs.realpathSync(d.dir)}/releases`);
    for (const host of ['::1', '127.0.0.1']) {
      assert.equal((await httpGet(statsPort, '/', {}, { host })).status, 200, `page on ${host}`);
      assert.equal((await httpGet(trackerPort, '/stats?mode=tpbs&format=txt', {}, { host })).status, 200, `tracker on ${host}`);
      assert.equal((await udpConnect(trackerPort, { host })).length, 8, `udp on ${host}`);
    }
  } finally {
    suite.child.kill('SIGTERM');
    await exitWithin(suite, 8000);
  }
});
