import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import parseTorrent from 'parse-torrent';
import { startPublisher, type PublisherHandle } from '../../apps/publisher/src/publisher.js';
import type { PublisherConfig } from '../../apps/publisher/src/config.js';
import type { ManifestRelease } from '../../libs/common/src/manifest.js';
import {
  captureLogger,
  configFor,
  mktorrentHash,
  readManifest,
  readWhitelist,
  sandbox,
  type Sandbox,
} from '../helpers/publisher-sandbox.js';
import { waitFor } from '../helpers/wait.js';

async function withPublisher(
  fn: (ctx: { sb: Sandbox; pub: PublisherHandle; lines: Array<Record<string, unknown>>; config: PublisherConfig }) => Promise<void>,
  opts: { flags?: string[]; before?: (sb: Sandbox) => Promise<void> } = {},
): Promise<void> {
  const sb = await sandbox();
  const { log, lines } = captureLogger();
  let pub: PublisherHandle | null = null;
  try {
    await opts.before?.(sb);
    const config = configFor(sb, opts.flags ?? []);
    pub = await startPublisher(config, log);
    await fn({ sb, pub, lines, config });
  } finally {
    await pub?.close();
    await sb.cleanup();
  }
}

const live = async (sb: Sandbox, p: string): Promise<ManifestRelease | undefined> =>
  (await readManifest(sb)).releases.find((r) => r.path === p && r.removedAt === null);

describe('publisher with the real watcher', () => {
  test('startup scan: files and a folder already there are published, junk/symlinks/empty are refused', () =>
    withPublisher(
      async ({ sb, pub, lines }) => {
        await pub.idle();
        const m = await readManifest(sb);
        assert.deepEqual(m.releases.map((r) => r.path).sort(), ['Folder Release', 'app-1.0.bin']);
        const rel = m.releases.find((r) => r.path === 'app-1.0.bin') as ManifestRelease;
        const bytes = await readFile(path.join(sb.releases, 'app-1.0.bin'));
        const t = await parseTorrent(await readFile(path.join(sb.data, 'torrents', rel.torrent)));
        assert.equal(t.infoHash, rel.infoHash);
        assert.deepEqual(t.announce, ['http://127.0.0.1:6969/announce', 'udp://127.0.0.1:6969/announce']);
        assert.deepEqual(t.urlList, ['http://127.0.0.1:8080/files/']);
        assert.equal(t.name, 'app-1.0.bin');
        assert.equal(t.length, bytes.length);
        assert.equal(t.pieceLength, rel.pieceLength);
        assert.equal(t.pieces?.length, Math.ceil(bytes.length / rel.pieceLength));
        assert.notEqual(t.private, true);
        assert.equal(rel.sha256, createHash('sha256').update(bytes).digest('hex'));
        assert.equal(rel.magnet.startsWith(`magnet:?xt=urn:btih:${rel.infoHash}&dn=app-1.0.bin`), true);
        assert.equal(
          await mktorrentHash(path.join(sb.releases, 'app-1.0.bin'), rel.pieceLength, path.join(sb.dir, 'mk1.torrent')),
          rel.infoHash,
        );
        const folder = m.releases.find((r) => r.path === 'Folder Release') as ManifestRelease;
        const ft = await parseTorrent(await readFile(path.join(sb.data, 'torrents', folder.torrent)));
        assert.deepEqual(
          ft.files?.map((f) => f.path),
          ['Folder Release/a.txt', 'Folder Release/sub/b.bin'],
        );
        assert.equal(folder.sha256, null);
        await rm(path.join(sb.releases, 'Folder Release', 'inner-link')); // mktorrent would follow it
        assert.equal(
          await mktorrentHash(path.join(sb.releases, 'Folder Release'), folder.pieceLength, path.join(sb.dir, 'mk2.torrent')),
          folder.infoHash,
        );
        const wl = await readWhitelist(sb);
        assert.match(wl, new RegExp(`^${rel.infoHash} # app-1.0.bin$`, 'm'));
        assert.match(wl, new RegExp(`^${folder.infoHash} # Folder Release$`, 'm'));
        assert.equal(wl.split('\n').filter(Boolean).length, 3, 'the pre-existing comment line plus two hashes');
        const msgs = lines.map((l) => String(l['msg']));
        assert.ok(msgs.some((s) => s.includes('"empty.bin" is empty')));
        assert.ok(msgs.some((s) => s.includes('"outside" is a symlink')));
        assert.ok(lines.some((l) => l['entry'] === 'inner-link (symlink)'));
      },
      {
        before: async (sb) => {
          await writeFile(sb.whitelist, '# operator comment, kept\n');
          await writeFile(path.join(sb.releases, 'app-1.0.bin'), randomBytes(100_000));
          await mkdir(path.join(sb.releases, 'Folder Release', 'sub'), { recursive: true });
          await writeFile(path.join(sb.releases, 'Folder Release', 'a.txt'), 'hello');
          await writeFile(path.join(sb.releases, 'Folder Release', 'sub', 'b.bin'), randomBytes(40_000));
          await symlink('/etc/passwd', path.join(sb.releases, 'Folder Release', 'inner-link'));
          await symlink('/etc', path.join(sb.releases, 'outside'));
          await writeFile(path.join(sb.releases, 'empty.bin'), '');
          for (const junk of ['.hidden', 'x.part', 'y.crdownload', 'z.tmp', 'w~', 'v.torrent', 'u.!qB', 't.aria2'])
            await writeFile(path.join(sb.releases, junk), 'junk');
        },
      },
    ));

  test('slow writer: a file growing for 3 s gives ONE torrent, of the final content', () =>
    withPublisher(async ({ sb, pub }) => {
      const file = path.join(sb.releases, 'slow.iso');
      const hash = createHash('sha256');
      for (let i = 0; i < 30; i++) {
        const chunk = randomBytes(64 * 1024);
        hash.update(chunk);
        await appendFile(file, chunk);
        await new Promise((r) => setTimeout(r, 100));
      }
      const rel = await waitFor('slow.iso published', () => live(sb, 'slow.iso'));
      await pub.idle();
      const m = await readManifest(sb);
      assert.equal(m.releases.filter((r) => r.path === 'slow.iso').length, 1);
      assert.equal(rel.size, 30 * 64 * 1024);
      assert.equal(rel.sha256, hash.digest('hex'));
    }));

  test('slow writer already running at startup: waits for it to settle (no awaitWriteFinish on the initial scan)', async () => {
    const sb = await sandbox();
    const { log } = captureLogger();
    const file = path.join(sb.releases, 'startup-growing.bin');
    await writeFile(file, randomBytes(1000));
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 15; i++) {
        await appendFile(file, randomBytes(10_000));
        await new Promise((r) => setTimeout(r, 100));
      }
      writing = false;
    })();
    const pub = await startPublisher(configFor(sb), log);
    try {
      await writer;
      assert.equal(writing, false);
      const rel = await waitFor('published', () => live(sb, 'startup-growing.bin'));
      await pub.idle();
      assert.equal(rel.size, 1000 + 15 * 10_000);
      assert.equal((await readManifest(sb)).releases.length, 1);
    } finally {
      await pub.close();
      await sb.cleanup();
    }
  });

  test('atomic move into the folder, then delete, then rename', () =>
    withPublisher(async ({ sb, pub }) => {
      const staging = path.join(sb.dir, 'staging');
      await mkdir(staging);
      await writeFile(path.join(staging, 'moved.bin'), randomBytes(50_000));
      await rename(path.join(staging, 'moved.bin'), path.join(sb.releases, 'moved.bin'));
      const first = await waitFor('moved.bin published', () => live(sb, 'moved.bin'));
      // The whitelist is written just after the manifest (torrent, manifest, whitelist: in that order).
      await waitFor('moved.bin whitelisted', async () => new RegExp(first.infoHash).test(await readWhitelist(sb)));
      assert.match(await readWhitelist(sb), new RegExp(first.infoHash));

      await rename(path.join(sb.releases, 'moved.bin'), path.join(sb.releases, 'renamed.bin'));
      const renamed = await waitFor('renamed.bin published', () => live(sb, 'renamed.bin'));
      await waitFor('moved.bin removed', async () => !(await live(sb, 'moved.bin')));
      await pub.idle();
      assert.notEqual(renamed.infoHash, first.infoHash, 'the name is part of the info dict');
      const wl = await readWhitelist(sb);
      assert.doesNotMatch(wl, new RegExp(first.infoHash));
      assert.match(wl, new RegExp(renamed.infoHash));
      const old = (await readManifest(sb)).releases.find((r) => r.infoHash === first.infoHash);
      assert.ok(old?.removedAt, 'old entry kept, marked removed');

      await rm(path.join(sb.releases, 'renamed.bin'));
      await waitFor('renamed.bin removed', async () => !(await live(sb, 'renamed.bin')));
      await pub.idle();
      assert.doesNotMatch(await readWhitelist(sb), new RegExp(renamed.infoHash));
      assert.equal((await readManifest(sb)).releases.length, 2, 'entries are never deleted');
    }));

  test('replaced content: new torrent, old hash leaves the whitelist; --on-delete keep keeps it', () =>
    withPublisher(
      async ({ sb, pub }) => {
        const file = path.join(sb.releases, 'tool.bin');
        await writeFile(file, randomBytes(30_000));
        const v1 = await waitFor('v1', () => live(sb, 'tool.bin'));
        const tmp = path.join(sb.releases, '.tool.bin.new');
        await writeFile(tmp, randomBytes(30_000));
        await rename(tmp, file);
        const v2 = await waitFor('v2', async () => {
          const r = await live(sb, 'tool.bin');
          return r && r.infoHash !== v1.infoHash ? r : undefined;
        });
        await pub.idle();
        const wl = await readWhitelist(sb);
        assert.match(wl, new RegExp(v1.infoHash), 'on-delete keep');
        assert.match(wl, new RegExp(v2.infoHash));
        assert.ok((await readManifest(sb)).releases.find((r) => r.infoHash === v1.infoHash)?.removedAt);
      },
      { flags: ['--on-delete', 'keep'] },
    ));

  test('ignored names are never published; hostile names are', () =>
    withPublisher(async ({ sb, pub }) => {
      for (const junk of ['.hidden', 'a.part', 'b.crdownload', 'c.tmp', 'd~', 'e.torrent', 'f.!qB', 'g.aria2'])
        await writeFile(path.join(sb.releases, junk), 'junk');
      await mkdir(path.join(sb.releases, '.staging'));
      await writeFile(path.join(sb.releases, '.staging', 'inside.bin'), 'x');
      // '/' cannot be in a file name: this is folder "<script>alert(1)<" holding "script>.bin" (one release).
      await mkdir(path.join(sb.releases, '<script>alert(1)<'));
      await writeFile(path.join(sb.releases, '<script>alert(1)<', 'script>.bin'), 'payload');
      await writeFile(path.join(sb.releases, 'Ünïcödé release — 1.0 (final).bin'), 'payload 2');
      await waitFor('hostile names published', async () => (await readManifest(sb)).releases.length >= 2);
      await new Promise((r) => setTimeout(r, 1500));
      await pub.idle();
      const names = (await readManifest(sb)).releases.map((r) => r.name).sort();
      assert.deepEqual(names, ['<script>alert(1)<', 'Ünïcödé release — 1.0 (final).bin']);
      const wl = await readWhitelist(sb);
      assert.equal(wl.split('\n').filter(Boolean).length, 2);
    }));

  test('file deleted during hashing: one clear line, no torrent stays live, no crash', () =>
    withPublisher(async ({ sb, pub, lines }) => {
      const file = path.join(sb.releases, 'vanishing.bin');
      await writeFile(file, randomBytes(96 * 1024 * 1024));
      await waitFor('hashing started', () => lines.some((l) => l['msg'] === 'hashing' && l['release'] === 'vanishing.bin'));
      await rm(file);
      await waitFor('gone', async () => !(await live(sb, 'vanishing.bin')) && lines.some((l) => /deleted|removed/.test(String(l['msg']))));
      await pub.idle();
      assert.equal(await live(sb, 'vanishing.bin'), undefined);
      assert.equal(lines.filter((l) => Number(l['level']) >= 50).length, 0, 'no error-level lines');
    }));
});
