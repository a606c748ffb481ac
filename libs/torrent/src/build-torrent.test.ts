import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import createTorrent from 'create-torrent';
import parseTorrent from 'parse-torrent';
import { buildTorrent, type BuildTorrentFile } from './build-torrent.js';
import { hashFiles } from './hash-files.js';
import { choosePieceLength } from './piece-length.js';
import { infoHashOf, encodeTorrent, MetainfoError } from './metainfo.js';

const run = promisify(execFile);
const common = {
  announceList: [['http://127.0.0.1:6969/announce'], ['udp://127.0.0.1:6969/announce']],
  urlList: ['http://127.0.0.1:8080/files/'],
  comment: 'test release',
  createdBy: 'release-tracker-suite/0.1',
};
const creationDate = 1_700_000_000;

function viaCreateTorrent(input: string, pieceLength: number, priv: boolean | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    createTorrent(
      input,
      {
        ...common,
        announceList: common.announceList.map((t) => [...t]),
        urlList: [...common.urlList],
        pieceLength,
        creationDate: new Date(creationDate * 1000),
        ...(priv === undefined ? {} : { private: priv }),
      },
      (err, buf) => (err ? reject(err) : resolve(Buffer.from(buf))),
    );
  });
}

async function viaMktorrent(input: string, pieceLength: number, out: string): Promise<string> {
  // -t 1: Debian's mktorrent 1.1 can deadlock with several hashing threads on a file of few pieces
  await run('mktorrent', ['-t', '1', '-l', String(Math.log2(pieceLength)), '-a', 'x', '-o', out, input], { timeout: 30_000 });
  return (await parseTorrent(await readFile(out))).infoHash as string;
}

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'torrent-test-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('buildTorrent matches create-torrent byte for byte (single file)', () => {
  const KiB32 = 32 * 1024;
  const rows: Array<{ name: string; size: number; pieceLength: number; threads: number; priv: boolean }> = [
    { name: 'one byte', size: 1, pieceLength: KiB32, threads: 2, priv: false },
    { name: 'exactly one piece', size: KiB32, pieceLength: KiB32, threads: 2, priv: false },
    { name: 'one piece plus one byte', size: KiB32 + 1, pieceLength: KiB32, threads: 2, priv: false },
    { name: 'private flag on', size: 3 * KiB32 + 7, pieceLength: KiB32, threads: 1, priv: true },
    { name: 'workers, odd split', size: 17 * 1024 * 1024 + 3, pieceLength: 256 * 1024, threads: 3, priv: false },
    { name: 'unicode/HTML name <script>', size: 100_000, pieceLength: KiB32, threads: 2, priv: false },
  ];
  for (const row of rows) {
    test(row.name, () =>
      withDir(async (dir) => {
        const fileName = row.name.includes('<') ? 'héllo wörld <img src=x onerror=alert(1)> "q" &amp;.bin' : 'release.bin';
        const file = path.join(dir, fileName);
        await writeFile(file, randomBytes(row.size));
        const ours = await buildTorrent({
          ...common,
          name: fileName,
          single: true,
          files: [{ absPath: file, path: [fileName], length: row.size }],
          creationDate,
          private: row.priv,
          pieceLength: row.pieceLength,
          threads: row.threads,
          sha256: true,
        });
        const theirs = await viaCreateTorrent(file, row.pieceLength, row.priv ? true : undefined);
        assert.deepEqual(Buffer.from(ours.torrent), theirs);
        const parsed = await parseTorrent(Buffer.from(ours.torrent));
        assert.equal(parsed.infoHash, ours.infoHash);
        assert.equal(parsed.length, row.size);
        assert.equal(parsed.name, fileName);
        if (!row.priv) assert.equal(await viaMktorrent(file, row.pieceLength, path.join(dir, 'mk.torrent')), ours.infoHash);
      }),
    );
  }
});

test('private:false as create-torrent writes it (private:0) changes the info hash; we omit the key like mktorrent', () =>
  withDir(async (dir) => {
    const file = path.join(dir, 'a.bin');
    await writeFile(file, randomBytes(50_000));
    const ours = await buildTorrent({
      ...common,
      name: 'a.bin',
      single: true,
      files: [{ absPath: file, path: ['a.bin'], length: 50_000 }],
      creationDate,
      private: false,
      pieceLength: 32768,
      threads: 1,
      sha256: false,
    });
    const zero = await viaCreateTorrent(file, 32768, false);
    assert.notEqual(infoHashOf(zero), ours.infoHash);
    assert.equal(await viaMktorrent(file, 32768, path.join(dir, 'mk.torrent')), ours.infoHash);
  }));

test('multi-file folder matches create-torrent byte for byte and mktorrent by info hash', () =>
  withDir(async (dir) => {
    const root = path.join(dir, 'My Release 1.0');
    await mkdir(path.join(root, 'docs', 'ünïcode'), { recursive: true });
    const layout: Array<[string[], number]> = [
      [['B-second.bin'], 40_000],
      [['a-first.bin'], 70_001],
      [['docs', 'readme.txt'], 1234],
      [['docs', 'ünïcode', 'x.bin'], 32768],
      [['empty.txt'], 0],
    ];
    for (const [segs, size] of layout) await writeFile(path.join(root, ...segs), randomBytes(size));
    // libuv's readdir order: byte order per directory, depth first.
    const order = [['B-second.bin'], ['a-first.bin'], ['docs', 'readme.txt'], ['docs', 'ünïcode', 'x.bin'], ['empty.txt']];
    const files: BuildTorrentFile[] = order.map((segs) => ({
      absPath: path.join(root, ...segs),
      path: segs,
      length: layout.find(([s]) => s.join('/') === segs.join('/'))?.[1] ?? -1,
    }));
    const ours = await buildTorrent({
      ...common,
      name: 'My Release 1.0',
      single: false,
      files,
      creationDate,
      private: false,
      pieceLength: 32768,
      threads: 2,
      sha256: false,
    });
    assert.deepEqual(Buffer.from(ours.torrent), await viaCreateTorrent(root, 32768, undefined));
    assert.equal(await viaMktorrent(root, 32768, path.join(dir, 'mk.torrent')), ours.infoHash);
    assert.equal(ours.sha256, null);
  }));

test('hashFiles: worker path equals inline path, and sha256 equals a plain digest', () =>
  withDir(async (dir) => {
    const file = path.join(dir, 'w.bin');
    const data = randomBytes(5 * 1024 * 1024 + 99);
    await writeFile(file, data);
    const files = [{ absPath: file, length: data.length }];
    const inline = await hashFiles({ files, pieceLength: 65536, sha256: true, threads: 2 });
    let last = 0;
    const workers = await hashFiles({
      files,
      pieceLength: 65536,
      sha256: true,
      threads: 3,
      inlineBelowBytes: 0,
      onProgress: (d) => {
        last = d;
      },
    });
    assert.deepEqual(workers, inline);
    assert.equal(last, data.length * 2);
    const { createHash } = await import('node:crypto');
    assert.equal(inline.sha256, createHash('sha256').update(data).digest('hex'));
  }));

describe('hashFiles: bad inputs reject with a code, never crash', () => {
  const rows: Array<{
    name: string;
    setup: (dir: string) => Promise<{ absPath: string; length: number }>;
    code: string;
    inlineBelowBytes: number;
  }> = [
    {
      name: 'missing file (worker)',
      setup: async (dir) => ({ absPath: path.join(dir, 'nope'), length: 100 }),
      code: 'ENOENT',
      inlineBelowBytes: 0,
    },
    {
      name: 'missing file (inline)',
      setup: async (dir) => ({ absPath: path.join(dir, 'nope'), length: 100 }),
      code: 'ENOENT',
      inlineBelowBytes: 1e9,
    },
    {
      name: 'file shorter than listed',
      setup: async (dir) => {
        const p = path.join(dir, 's');
        await writeFile(p, 'abc');
        return { absPath: p, length: 100 };
      },
      code: 'EPAYLOADCHANGED',
      inlineBelowBytes: 0,
    },
  ];
  for (const row of rows) {
    test(row.name, () =>
      withDir(async (dir) => {
        const f = await row.setup(dir);
        await assert.rejects(
          hashFiles({ files: [f], pieceLength: 32768, sha256: true, threads: 2, inlineBelowBytes: row.inlineBelowBytes }),
          (e: NodeJS.ErrnoException) => e.code === row.code,
        );
      }),
    );
  }
  test('empty payload is refused', async () => {
    await assert.rejects(hashFiles({ files: [], pieceLength: 32768, sha256: false, threads: 1 }), /empty/);
  });
  test('abort stops the workers', () =>
    withDir(async (dir) => {
      const p = path.join(dir, 'big');
      await writeFile(p, randomBytes(32 * 1024 * 1024));
      const ctrl = new AbortController();
      ctrl.abort();
      await assert.rejects(
        hashFiles({
          files: [{ absPath: p, length: 32 * 1024 * 1024 }],
          pieceLength: 32768,
          sha256: false,
          threads: 2,
          signal: ctrl.signal,
        }),
        { name: 'AbortError' },
      );
    }));
});

test('encodeTorrent refuses empty payloads and wrong piece counts', () => {
  const base = { name: 'x', files: null, pieceLength: 32768, ...common, creationDate, private: false };
  assert.throws(() => encodeTorrent({ ...base, length: 0, pieces: new Uint8Array(0) }), MetainfoError);
  assert.throws(() => encodeTorrent({ ...base, length: 10, pieces: new Uint8Array(40) }), MetainfoError);
});

test('choosePieceLength: create-torrent default clamped to [32 KiB, 4 MiB]', () => {
  const rows: Array<[number, number]> = [
    [1, 32768],
    [100 * 1024 * 1024, 131072],
    [1024 ** 3, 1024 ** 2],
    [64 * 1024 ** 3, 4 * 1024 ** 2],
  ];
  for (const [size, pl] of rows) assert.equal(choosePieceLength(size), pl, `size ${size}`);
});
