import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startPublisher } from '../../apps/publisher/src/publisher.js';
import { captureLogger, configFor, readManifest, readWhitelist, sandbox, stopChild } from '../helpers/publisher-sandbox.js';
import { waitFor } from '../helpers/wait.js';

/** A real process that counts the SIGHUPs it gets, standing in for a tracker. */
function hupCounter(): { child: ReturnType<typeof spawn>; hups: () => number; ready: () => boolean } {
  const child = spawn(
    process.execPath,
    ['-e', "process.on('SIGHUP', () => process.stdout.write('HUP\\n')); process.stdout.write('READY\\n'); setInterval(() => {}, 1000);"],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  return { child, hups: () => out.split('\n').filter((l) => l === 'HUP').length, ready: () => out.includes('READY\n') };
}

test('restart: nothing re-hashed or re-published; a missing whitelist line is restored with one signal', async () => {
  const sb = await sandbox();
  const tracker = hupCounter();
  try {
    await waitFor('the child installed its SIGHUP handler', () => tracker.ready()); // a SIGHUP before that would kill it
    await writeFile(sb.pidFile, `${tracker.child.pid}\n`);
    for (const n of ['a.bin', 'b.bin', 'c.bin']) await writeFile(path.join(sb.releases, n), randomBytes(20_000));

    const first = captureLogger();
    const pub1 = await startPublisher(configFor(sb, ['--once']), first.log);
    await pub1.idle();
    await pub1.close();
    assert.equal(pub1.failures(), 0);
    await waitFor('one coalesced SIGHUP', () => tracker.hups() === 1);
    const m1 = await readFile(path.join(sb.data, 'manifest.json'), 'utf8');
    assert.equal(JSON.parse(m1).releases.length, 3);

    // Same files, nothing changed: no hashing, no write, no signal.
    const second = captureLogger();
    const pub2 = await startPublisher(configFor(sb, ['--once']), second.log);
    await pub2.idle();
    await pub2.close();
    assert.equal(second.lines.filter((l) => l['msg'] === 'hashing').length, 0);
    assert.equal(await readFile(path.join(sb.data, 'manifest.json'), 'utf8'), m1);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(tracker.hups(), 1);

    // Someone removed a line: the restart puts it back and signals once.
    const { releases } = await readManifest(sb);
    const gone = releases[0]?.infoHash as string;
    await writeFile(
      sb.whitelist,
      (await readWhitelist(sb))
        .split('\n')
        .filter((l) => !l.startsWith(gone))
        .join('\n'),
    );
    const third = captureLogger();
    const pub3 = await startPublisher(configFor(sb, ['--once']), third.log);
    await pub3.idle();
    await pub3.close();
    assert.equal(third.lines.filter((l) => l['msg'] === 'hashing').length, 0);
    assert.match(await readWhitelist(sb), new RegExp(`^${gone}`, 'm'));
    await waitFor('second SIGHUP', () => tracker.hups() === 2);
  } finally {
    await stopChild(tracker.child);
    await sb.cleanup();
  }
});

test('stale pid file and missing pid file: a warning, the whitelist is still right', async () => {
  const rows = [
    { name: 'missing pid file', pid: null },
    { name: 'stale pid', pid: '4194000' },
    { name: 'garbage pid', pid: '-1' },
  ];
  for (const row of rows) {
    const sb = await sandbox();
    try {
      if (row.pid !== null) await writeFile(sb.pidFile, row.pid);
      await writeFile(path.join(sb.releases, 'x.bin'), 'content');
      const { log, lines } = captureLogger();
      const pub = await startPublisher(configFor(sb, ['--once']), log);
      await pub.idle();
      await pub.close();
      assert.equal(pub.failures(), 0, row.name);
      assert.ok(
        lines.some((l) => Number(l['level']) === 40 && /tracker not running; whitelist is up to date/.test(String(l['msg']))),
        row.name,
      );
      const m = await readManifest(sb);
      assert.match(await readWhitelist(sb), new RegExp(m.releases[0]?.infoHash as string), row.name);
    } finally {
      await sb.cleanup();
    }
  }
});

test('releases deleted while the publisher was down are marked removed at startup', async () => {
  const sb = await sandbox();
  try {
    await writeFile(path.join(sb.releases, 'old.bin'), 'old');
    const a = captureLogger();
    const pub1 = await startPublisher(configFor(sb, ['--once']), a.log);
    await pub1.idle();
    await pub1.close();
    const hash = (await readManifest(sb)).releases[0]?.infoHash as string;
    const { rm } = await import('node:fs/promises');
    await rm(path.join(sb.releases, 'old.bin'));
    const b = captureLogger();
    const pub2 = await startPublisher(configFor(sb, ['--once']), b.log);
    await pub2.idle();
    await pub2.close();
    const m = await readManifest(sb);
    assert.ok(m.releases[0]?.removedAt);
    assert.doesNotMatch(await readWhitelist(sb), new RegExp(hash));
  } finally {
    await sb.cleanup();
  }
});

test('--reload-command: exit code and timeout are logged, never fatal', async () => {
  const rows = [
    { name: 'success', command: 'echo reloaded', timeoutMs: 5000, msg: 'reload command done', exitCode: 0 },
    { name: 'failure', command: 'echo nope >&2; exit 3', timeoutMs: 5000, msg: 'reload command failed', exitCode: 3 },
    { name: 'timeout', command: 'sleep 5', timeoutMs: 200, msg: 'reload command timed out after 200 ms', exitCode: null },
  ];
  for (const row of rows) {
    const sb = await sandbox();
    try {
      await writeFile(path.join(sb.releases, 'x.bin'), 'content');
      const { log, lines } = captureLogger();
      const pub = await startPublisher(
        { ...configFor(sb, ['--once', '--reload-command', row.command]), reloadTimeoutMs: row.timeoutMs },
        log,
      );
      await pub.idle();
      await pub.close();
      const line = lines.find((l) => l['msg'] === row.msg);
      assert.ok(line, row.name);
      assert.equal(line['exitCode'], row.exitCode, row.name);
      assert.equal(line['command'], row.command);
    } finally {
      await sb.cleanup();
    }
  }
});
