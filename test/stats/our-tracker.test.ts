import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { announceText } from '../helpers/announce.js';
import { apiReleases, makeFixture, rowCount, startStatsFor } from '../helpers/stats-fixture.js';
import { completeWithClient } from '../helpers/client-events.js';
import { loopbackTrackerArgs } from '../helpers/tracker-args.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const trackerMain = path.join(root, 'dist/apps/tracker/src/main.js');
const trackerBin = path.join(root, 'bin/tracker');

test("our tracker: completions announced by bittorrent-tracker's Client appear on the page and in the API", {
  skip: fs.existsSync(trackerMain) ? false : `the tracker is not built yet (${trackerMain} is missing)`,
  timeout: 60_000,
}, async () => {
  // The announce URL inside the fixture's torrents is irrelevant here: clients are pointed at the real port.
  const f = await makeFixture('http://127.0.0.1:1/announce');
  const proc = spawn(
    trackerBin,
    loopbackTrackerArgs({
      whitelist: f.whitelistPath,
      pidFile: path.join(f.dir, 'tracker.pid'),
      stateFile: path.join(f.dir, 'tracker.state'),
    }),
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  proc.stderr.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const tcpPort = new Promise<number>((resolve, reject) => {
    let buf = '';
    proc.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      output += d.toString();
      for (const line of buf.split('\n')) {
        try {
          const j = JSON.parse(line) as { msg?: string; proto?: string; port?: number };
          if (j.msg === 'listening' && j.proto === 'tcp' && typeof j.port === 'number') resolve(j.port);
        } catch {
          /* partial or non-JSON line */
        }
      }
    });
    proc.once('exit', (code) => reject(new Error(`tracker exited with ${code}: ${output}`)));
    setTimeout(() => reject(new Error(`tracker did not report a tcp port in 15 s: ${output}`)), 15_000).unref();
  });
  let stats: Awaited<ReturnType<typeof startStatsFor>> | undefined;
  try {
    const port = await tcpPort;
    const base = `http://127.0.0.1:${port}`;
    const [app] = f.releases;
    // Wait until the whitelist is loaded: a leecher is accepted, then leaves.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const body = await announceText(base, app!.infoHash, { peer: 'probe', port: 1, left: 1, event: 'started' }).catch(() => '');
      if (body.startsWith('d') && !body.includes('failure')) break;
      if (Date.now() > deadline) throw new Error(`tracker never accepted a whitelisted announce; last answer ${JSON.stringify(body)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    await announceText(base, app!.infoHash, { peer: 'probe', port: 1, left: 1, event: 'stopped' });

    stats = await startStatsFor(f, `${base}/stats?mode=tpbs&format=txtp`);
    await completeWithClient(`${base}/announce`, app!.infoHash, 41001);
    await completeWithClient(`${base}/announce`, app!.infoHash, 41002);
    await stats.pollNow();

    const rel = await apiReleases(stats.port);
    const a = rel.find((r) => r.infoHash === app!.infoHash);
    assert.ok(a, 'release listed');
    assert.equal(a.downloads, 2);
    assert.equal(a.seeders, 2);
    const page = await (await fetch(`http://127.0.0.1:${stats.port}/`)).text();
    assert.equal(rowCount(page, app!.infoHash), '2');
    assert.doesNotMatch(page, /id="poll-warning"/, 'the stats poll of our tracker succeeded');
  } finally {
    await stats?.close();
    if (proc.exitCode === null && proc.signalCode === null) {
      const exited = once(proc, 'exit');
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
    }
    f.cleanup();
  }
});
