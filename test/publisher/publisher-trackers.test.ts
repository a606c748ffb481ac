import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { startPublisher } from '../../apps/publisher/src/publisher.js';
import { freePort } from '../helpers/free-port.js';
import { announceText } from '../helpers/announce.js';
import { captureLogger, configFor, readManifest, run, sandbox, stopChild } from '../helpers/publisher-sandbox.js';
import { REPO_ROOT } from '../helpers/repo-paths.js';
import { waitFor } from '../helpers/wait.js';

/** A seeder's started announce for a hex info hash; returns the raw bencoded body as latin1 text. */
const announce = (port: number, infoHash: string): Promise<string> =>
  announceText(`http://127.0.0.1:${port}`, infoHash, { peer: 'abcdefghijkl', port: 6881, left: 0, event: 'started' });

const NOT_AUTHORIZED = 'Requested download is not authorized for use with this tracker.';
const ourTracker = path.join(REPO_ROOT, 'dist/apps/tracker/src/main.js');

async function opentrackerPath(): Promise<string | null> {
  try {
    return (await run('/bin/sh', ['-c', 'command -v opentracker'])).stdout.trim() || null;
  } catch {
    return null;
  }
}

/** Polls until an announce for the hash is accepted (the tracker has re-read its whitelist). */
async function accepted(port: number, infoHash: string): Promise<string> {
  return waitFor(
    `announce of ${infoHash} accepted`,
    async () => {
      const body = await announce(port, infoHash).catch(() => '');
      return body.includes('interval') && !body.includes('failure reason') ? body : undefined;
    },
    15_000,
  );
}

async function publishOne(
  sb: Awaited<ReturnType<typeof sandbox>>,
  flags: string[],
  port: number,
  check: (hash: string) => Promise<void>,
): Promise<void> {
  const { log } = captureLogger();
  const pub = await startPublisher(configFor(sb, flags), log);
  try {
    await pub.idle();
    await writeFile(path.join(sb.releases, 'release-2.0.bin'), randomBytes(200_000));
    const rel = await waitFor('published', async () => (await readManifest(sb)).releases[0]);
    assert.match(await announce(port, randomBytes(20).toString('hex')), new RegExp(NOT_AUTHORIZED.replace(/\./g, '\\.')));
    await accepted(port, rel.infoHash);
    await check(rel.infoHash);
  } finally {
    await pub.close();
  }
}

test('our tracker gets the SIGHUP and accepts announces for the new hash', {
  skip: !existsSync(ourTracker) && 'dist/apps/tracker not built',
}, async () => {
  const sb = await sandbox();
  let tracker: ChildProcess | null = null;
  try {
    await writeFile(sb.whitelist, '# managed by the publisher\n');
    tracker = spawn(
      path.join(REPO_ROOT, 'bin/tracker'),
      ['-i', '127.0.0.1', '-p', '0', '-P', '0', '-w', sb.whitelist, '--pid-file', sb.pidFile, '--state-file', path.join(sb.data, 'state')],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const rl = createInterface({ input: tracker.stdout as NodeJS.ReadableStream });
    const port = await new Promise<number>((resolve, reject) => {
      rl.on('line', (line) => {
        try {
          const l = JSON.parse(line) as { msg?: string; proto?: string; port?: number };
          if (l.msg === 'listening' && l.proto === 'tcp' && l.port) resolve(l.port);
        } catch {
          /* not JSON */
        }
      });
      tracker?.once('exit', (code) => reject(new Error(`tracker exited ${code}`)));
    });
    await waitFor('pid file', () => existsSync(sb.pidFile));
    await publishOne(sb, [], port, async () => undefined);
  } finally {
    if (tracker) await stopChild(tracker);
    await sb.cleanup();
  }
});

test("Debian's opentracker reloads via --reload-command and accepts the new hash", async (t) => {
  const bin = await opentrackerPath();
  if (!bin) {
    t.skip('opentracker not installed');
    return;
  }
  const sb = await sandbox();
  let ot: ChildProcess | null = null;
  try {
    // opentracker drops root to nobody, who must read the list: 755 folder (sandbox), 644 file.
    await writeFile(sb.whitelist, '');
    await chmod(sb.whitelist, 0o644);
    const port = await freePort();
    // cwd '/': as root opentracker chroots to its working folder, and the whitelist path is absolute.
    ot = spawn(bin, ['-i', '127.0.0.1', '-p', String(port), '-P', String(port), '-w', sb.whitelist, '-A', '127.0.0.1'], {
      cwd: '/',
      stdio: 'ignore',
    });
    await waitFor('opentracker up', async () =>
      (await announce(port, randomBytes(20).toString('hex')).catch(() => '')).includes('failure reason'),
    );
    await publishOne(sb, ['--reload-command', `kill -HUP ${ot.pid}`], port, async () => undefined);
  } finally {
    if (ot) await stopChild(ot);
    await sb.cleanup();
  }
});
