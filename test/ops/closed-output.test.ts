import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { httpGet } from '../helpers/http-client.js';
import { freePort } from '../helpers/free-port.js';
import { bin } from '../helpers/repo-paths.js';
import { exitWithin, processAlive, runApp, type AppProcess } from '../helpers/app-process.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { loopbackTrackerArgs } from '../helpers/tracker-args.js';
import { makeTempDir } from '../helpers/temp-dir.js';

/**
 * Output that goes away must not stop or freeze a running app: a reader that closed its pipe (`| head -1`)
 * and a terminal that was closed (SIGHUP, then EIO on every write). Real processes, real pipes and a real
 * pseudo-terminal; after the output is gone the tracker and the page must answer, SIGHUP must be survived,
 * and SIGTERM must still end the process within a few seconds.
 */
const dirs: Array<{ remove(): void }> = [];
after(() => {
  for (const d of dirs) d.remove();
});

/** ./bin/tracker on 127.0.0.1 (ports from the kernel) in a temp dir with this whitelist, no pid file. */
function trackerOnLoopback(whitelist: string): AppProcess {
  const t = makeTempDir('ops-it-');
  dirs.push(t);
  const wl = path.join(t.dir, 'whitelist');
  fs.writeFileSync(wl, whitelist);
  return runApp(bin('tracker'), loopbackTrackerArgs({ whitelist: wl, stateFile: path.join(t.dir, 'state') }));
}

/** Waits (up to 20 s) until the suite's page and its tracker both answer; `context` is added to the error. */
async function suiteAnswers(statsPort: number, trackerPort: number, context: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await answers(statsPort, '/');
      await answers(trackerPort, '/stats?mode=tpbs&format=txt');
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${String(err)}${context()}`);
      await sleep(200);
    }
  }
}

/** The exit status a test's shell wrote to `file` after its app ended. */
function reportedStatus(file: string, timeoutMs: number): Promise<string> {
  return waitFor('the exit status from the shell', () => fs.existsSync(file) && fs.readFileSync(file, 'utf8').trim(), timeoutMs);
}

/** The bin/suite launcher (bash) in process group `group`. */
function suiteLauncher(group: number): number {
  const launcher = fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number)
    .find((pid) => {
      try {
        return (
          fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('bin/suite') &&
          fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[2] === String(group)
        );
      } catch {
        return false;
      }
    });
  assert.ok(launcher, 'launcher found');
  return launcher;
}

async function answers(port: number, pathname: string): Promise<void> {
  const r = await httpGet(port, pathname, {}, { timeoutMs: 3000 });
  assert.equal(r.status, 200, `${pathname} answered ${r.status}`);
}

test('tracker: stdout pipe closed by its reader; logging stops, serving and stopping do not', async () => {
  const app = trackerOnLoopback('');
  const listening = await app.waitLine((r) => r['msg'] === 'listening' && r['proto'] === 'tcp');
  const port = Number(listening['port']);
  app.child.stdout!.destroy();
  await sleep(100);
  for (let i = 0; i < 3; i++) {
    app.child.kill('SIGHUP'); // each reload writes log lines into the closed pipe
    await sleep(200);
    await answers(port, '/stats?mode=tpbs&format=txt');
  }
  assert.ok(app.alive(), `tracker died: ${app.stderr()}`);
  app.child.kill('SIGTERM');
  assert.equal(await exitWithin(app, 5000), 0);
});

test('suite under `| head -1`: keeps serving the page and the tracker, SIGHUP reloads, SIGTERM stops it', async () => {
  const t = makeTempDir('ops-it-');
  dirs.push(t);
  const trackerPort = await freePort('::');
  const statsPort = await freePort('::');
  // exactly the shell pipeline a user types; head exits after the first line and closes the pipe
  const sh = spawn('/bin/sh', ['-c', `exec "$SUITE" 2>"$ERR" | head -1 > "$FIRST"`], {
    cwd: t.dir,
    env: {
      ...process.env,
      SUITE: bin('suite'),
      FIRST: path.join(t.dir, 'first'),
      ERR: path.join(t.dir, 'stderr'),
      TRACKER_PORT: String(trackerPort),
      STATS_PORT: String(statsPort),
      BIND_HOST: '127.0.0.1',
      LOG_FORMAT: 'json',
    },
    stdio: 'ignore',
    detached: true,
  });
  const group = sh.pid!;
  try {
    await suiteAnswers(statsPort, trackerPort, () => `; suite stderr: ${fs.readFileSync(path.join(t.dir, 'stderr'), 'utf8')}`);
    assert.match(fs.readFileSync(path.join(t.dir, 'first'), 'utf8'), /^\{/);
    const launcher = suiteLauncher(group);
    for (let i = 0; i < 3; i++) {
      process.kill(launcher, 'SIGHUP'); // the launcher forwards it; the suite logs into the dead pipe
      await sleep(300);
      try {
        await answers(statsPort, '/');
        await answers(trackerPort, '/stats?mode=tpbs&format=txt');
      } catch (err) {
        throw new Error(`after SIGHUP ${i + 1}: ${String(err)}; suite stderr: ${fs.readFileSync(path.join(t.dir, 'stderr'), 'utf8')}`);
      }
    }
    process.kill(launcher, 'SIGTERM');
    const end = Date.now() + 6000;
    while (processAlive(launcher) && Date.now() < end) await sleep(100);
    assert.equal(processAlive(launcher), false, 'the suite stopped on SIGTERM');
  } finally {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

test('tracker on a terminal that is closed: SIGHUP then EIO; it keeps serving and SIGTERM ends it with exit code 0', {
  skip: process.platform !== 'linux',
}, async () => {
  const t = makeTempDir('ops-it-');
  dirs.push(t);
  const wl = path.join(t.dir, 'whitelist');
  const pidFile = path.join(t.dir, 'tracker.pid');
  const statusFile = path.join(t.dir, 'status');
  fs.writeFileSync(wl, '');
  const port = await freePort('::');
  // script(1) gives the tracker a real pseudo-terminal; killing script closes the terminal's master side. The
  // shell around the tracker ignores the hangup (Node resets that for the tracker) to report its exit status:
  // Node aborts at exit when it cannot restore a closed terminal's settings, unless the app lets go of it first
  const cmd = `trap '' HUP; "${bin('tracker')}" -i 127.0.0.1 -p ${port} -P ${port} -w "${wl}" --pid-file "${pidFile}" --state-file "${path.join(t.dir, 'state')}"; echo $? > "${statusFile}"`;
  const term = runApp('script', ['-qfec', cmd, '/dev/null'], { env: { SHELL: '/bin/sh' } });
  let pid = 0;
  try {
    const deadline = Date.now() + 15_000;
    while (!fs.existsSync(pidFile) && Date.now() < deadline) await sleep(100);
    pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    await answers(port, '/stats?mode=tpbs&format=txt');
    term.child.kill('SIGKILL');
    await term.exited;
    await sleep(500);
    for (let i = 0; i < 3; i++) {
      process.kill(pid, 'SIGHUP');
      await sleep(200);
      await answers(port, '/stats?mode=tpbs&format=txt');
    }
    process.kill(pid, 'SIGTERM');
    const end = Date.now() + 5000;
    while (processAlive(pid) && Date.now() < end) await sleep(50);
    assert.equal(processAlive(pid), false, 'SIGTERM ended the tracker');
    assert.equal(await reportedStatus(statusFile, 3_000), '0', 'exit status (139: Node aborted on the closed terminal)');
  } finally {
    if (pid > 0 && processAlive(pid)) process.kill(pid, 'SIGKILL');
  }
});

test('suite on a terminal that is closed: it keeps serving and SIGTERM ends it with exit code 0', {
  skip: process.platform !== 'linux',
}, async () => {
  const t = makeTempDir('ops-it-');
  dirs.push(t);
  const statusFile = path.join(t.dir, 'status');
  const trackerPort = await freePort('::');
  const statsPort = await freePort('::');
  // as for the tracker above; the launcher's own exit status is the suite process's (bin/suite)
  // (the path through the environment: the shell's own command line must not name bin/suite, see suiteLauncher)
  const cmd = `trap '' HUP; echo $$ > pgid; "$SUITE"; echo $? > "${statusFile}"`;
  const term = runApp('script', ['-qfec', cmd, '/dev/null'], {
    cwd: t.dir,
    env: {
      SHELL: '/bin/sh',
      SUITE: bin('suite'),
      TRACKER_PORT: String(trackerPort),
      STATS_PORT: String(statsPort),
      BIND_HOST: '127.0.0.1',
    },
  });
  const pgidFile = path.join(t.dir, 'pgid');
  try {
    await suiteAnswers(statsPort, trackerPort);
    const launcher = suiteLauncher(Number(fs.readFileSync(pgidFile, 'utf8')));
    term.child.kill('SIGKILL');
    await term.exited;
    await sleep(500);
    await answers(statsPort, '/');
    await answers(trackerPort, '/stats?mode=tpbs&format=txt');
    process.kill(launcher, 'SIGTERM');
    assert.equal(await reportedStatus(statusFile, 8_000), '0', 'exit status (139: Node aborted on the closed terminal)');
  } finally {
    // the shell, the launcher and the suite share the shell's process group: nothing is left running
    const group = fs.existsSync(pgidFile) ? Number(fs.readFileSync(pgidFile, 'utf8')) : 0;
    if (group > 0) {
      try {
        process.kill(-group, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

test('a hangup while the tracker is still starting does not end it', async () => {
  const app = trackerOnLoopback('0123456789abcdef0123456789abcdef01234567\n');
  // the access list is read before the sockets are bound: its log line comes before the tracker is ready
  await app.waitLine((r) => typeof r['loaded'] === 'number');
  app.child.kill('SIGHUP');
  const listening = await app.waitLine((r) => String(r['msg']).startsWith('ready: announce '));
  await sleep(200);
  assert.ok(app.alive(), 'still running after the early SIGHUP');
  await answers(Number(new URL(String((listening['announce'] as string[])[0])).port), '/stats?mode=tpbs&format=txt');
  app.child.kill('SIGTERM');
  assert.equal(await exitWithin(app, 5000), 0);
});
