import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, chown, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startPublisher } from '../../apps/publisher/src/publisher.js';
import {
  captureLogger,
  configFor,
  jsonLines,
  readManifest,
  readWhitelist,
  runPublisherCli,
  sandbox,
} from '../helpers/publisher-sandbox.js';
import { waitFor } from '../helpers/wait.js';

const isRoot = process.getuid?.() === 0;

describe('bin/publisher command line', () => {
  const rows: Array<{ name: string; args: string[]; env?: Record<string, string>; code: number; stderr?: RegExp; stdout?: RegExp }> = [
    { name: '--help', args: ['--help'], code: 0, stdout: /Usage: publisher/ },
    { name: 'unknown flag', args: ['--frobnicate'], code: 2, stderr: /^publisher: unknown option --frobnicate\n/ },
    { name: 'missing value', args: ['--releases'], code: 2, stderr: /^publisher: option --releases: needs a value\n/ },
    {
      name: 'bad on-delete',
      args: ['--on-delete', 'maybe'],
      code: 2,
      stderr: /^publisher: option --on-delete: 'maybe': expected remove or keep\n/,
    },
    {
      name: 'bad announce url',
      args: ['--announce-udp', 'http://x/announce'],
      code: 2,
      stderr: /^publisher: option --announce-udp: 'http:\/\/x\/announce': only udp URLs are allowed\n/,
    },
    {
      name: 'bad log level',
      args: ['--log-level', 'loud'],
      code: 2,
      stderr: /^publisher: option --log-level: 'loud' is not a log level \(one of /,
    },
    {
      name: 'bad quiet period',
      args: ['--quiet-period', '0'],
      code: 2,
      stderr: /^publisher: option --quiet-period: '0' is not a number of seconds from 0.1 to 86400\n/,
    },
    {
      name: 'bad LOG_LEVEL',
      args: [],
      env: { LOG_LEVEL: 'loud' },
      code: 2,
      stderr: /^publisher: environment LOG_LEVEL: 'loud' is not a log level/,
    },
  ];
  for (const row of rows) {
    test(row.name, async () => {
      const r = await runPublisherCli(row.args, { env: row.env });
      assert.equal(r.code, row.code);
      if (row.stderr) assert.match(r.stderr, row.stderr);
      if (row.stdout) assert.match(r.stdout, row.stdout);
    });
  }
});

test('--once publishes and exits 0; --dry-run writes nothing', async () => {
  const sb = await sandbox();
  try {
    await writeFile(path.join(sb.releases, 'r.bin'), randomBytes(10_000));
    const freshData = path.join(sb.dir, 'fresh-data');
    const dry = await runPublisherCli(
      ['--once', '--dry-run', '--quiet-period', '1', '--releases', sb.releases, '--whitelist', sb.whitelist],
      { env: { DATA_DIR: freshData } },
    );
    assert.equal(dry.code, 0, dry.stderr);
    const lines = jsonLines(dry.stdout);
    const would = lines.find((l) => l['msg'] === 'dry run: would publish');
    assert.match(String(would?.['infoHash']), /^[0-9a-f]{40}$/);
    assert.ok(lines.some((l) => String(l['msg']).startsWith('dry run: would update the whitelist')));
    await assert.rejects(stat(freshData), { code: 'ENOENT' });
    await assert.rejects(stat(sb.whitelist), { code: 'ENOENT' });

    const real = await runPublisherCli(['--once', '--quiet-period', '1', '--releases', sb.releases, '--whitelist', sb.whitelist], {
      env: { DATA_DIR: freshData },
    });
    assert.equal(real.code, 0, real.stderr);
    const published = jsonLines(real.stdout).find((l) => l['msg'] === 'published');
    assert.equal(published?.['infoHash'], would?.['infoHash'], 'dry run predicts the real info_hash');
    assert.match(await readWhitelist({ ...sb }), new RegExp(String(would?.['infoHash'])));
  } finally {
    await sb.cleanup();
  }
});

test('unreadable release and read-only whitelist: clear error lines, exit 1, no crash', async () => {
  const sb = await sandbox();
  try {
    // Root reads everything, so the publisher runs as nobody when the tests run as root.
    const as = isRoot ? { uid: 65534, gid: 65534 } : {};
    await chmod(sb.releases, 0o755);
    await writeFile(path.join(sb.releases, 'secret.bin'), 'no one may read this');
    await chmod(path.join(sb.releases, 'secret.bin'), 0o000);
    await writeFile(path.join(sb.releases, 'fine.bin'), randomBytes(5000));
    await chmod(path.join(sb.releases, 'fine.bin'), 0o644);
    await mkdir(path.join(sb.dir, 'wl-dir'), { mode: 0o755 });
    const whitelist = path.join(sb.dir, 'wl-dir', 'whitelist');
    await writeFile(whitelist, '# read only\n', { mode: 0o444 });
    await chmod(path.join(sb.dir, 'wl-dir'), 0o555);
    if (isRoot) await chown(sb.data, 65534, 65534);
    const r = await runPublisherCli(['--once', '--quiet-period', '1', '--releases', sb.releases, '--whitelist', whitelist], {
      env: { DATA_DIR: sb.data },
      ...as,
    });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(r.stderr, '', 'no stack trace');
    const lines = jsonLines(r.stdout);
    const unreadable = lines.find((l) => l['msg'] === 'cannot read the release; skipped until it changes');
    assert.equal(unreadable?.['release'], 'secret.bin');
    assert.equal(unreadable?.['code'], 'EACCES');
    assert.ok(lines.some((l) => String(l['msg']).startsWith('cannot write the whitelist')));
    // the tracker could never accept it, so the page must not list it: not in the manifest, retried later
    assert.ok(!lines.some((l) => l['msg'] === 'published'), 'nothing listed whose hash is not on the whitelist');
    assert.ok(
      lines.some((l) => String(l['msg']).startsWith('could not publish') && l['release'] === 'fine.bin' && l['code'] === 'EWHITELIST'),
    );
    assert.equal(await readWhitelist({ ...sb, whitelist }), '# read only\n');
    assert.deepEqual((await readdir(path.join(sb.dir, 'wl-dir'))).sort(), ['whitelist'], 'no temp file left');
  } finally {
    await chmod(path.join(sb.dir, 'wl-dir'), 0o755).catch(() => undefined);
    await sb.cleanup();
  }
});

test('full disk (ENOSPC) while writing the torrent: nothing half-written, published once space is back', {
  skip: !isRoot && 'needs root to mount a tiny tmpfs',
}, async () => {
  const sb = await sandbox();
  let mounted = false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', sb.data]);
    mounted = true;
    const filler = path.join(sb.data, 'filler');
    // Fill to the last byte: tmpfs rounds to pages, so write until ENOSPC.
    await writeFile(filler, Buffer.alloc(60 * 1024)).catch(() => undefined);
    for (;;) {
      try {
        const { appendFile } = await import('node:fs/promises');
        await appendFile(filler, Buffer.alloc(512));
      } catch {
        break;
      }
    }
    const { log, lines } = captureLogger();
    const pub = await startPublisher(configFor(sb), log);
    try {
      await writeFile(path.join(sb.releases, 'big-ish.bin'), randomBytes(8 * 1024 * 1024));
      await waitFor('ENOSPC logged', () => lines.some((l) => l['code'] === 'ENOSPC' && String(l['msg']).startsWith('could not publish')));
      const leftovers = (await readdir(sb.data, { recursive: true })).filter((n) => n !== 'filler' && n !== 'torrents');
      assert.deepEqual(leftovers, [], 'no temp or partial file');
      await rm(filler);
      const rel = await waitFor('published after space is back', async () => (await readManifest(sb)).releases[0]);
      assert.equal(rel.path, 'big-ish.bin');
      await pub.idle();
      assert.match(await readWhitelist(sb), new RegExp(rel.infoHash));
    } finally {
      await pub.close();
    }
  } finally {
    if (mounted) execFileSync('umount', [sb.data]);
    await sb.cleanup();
  }
});
