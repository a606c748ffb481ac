/**
 * Hashing throughput: create-torrent vs our parallel piece hasher vs mktorrent, on one file, same piece length.
 *   node dist/bench/hash-bench.js [--size-mib 1024] [--dir DIR] [--runs 3]
 * Creates a random file (if missing) in DIR (default os.tmpdir()), reads it once so every tool sees a warm
 * page cache, runs each tool `runs` times and prints the median MiB/s and whether the info hashes match.
 * Deletes the files it created.
 */
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import createTorrent from 'create-torrent';
import { buildTorrent, choosePieceLength, infoHashOf } from '../libs/torrent/src/index.js';

const run = promisify(execFile);

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  return v ?? dflt;
}

async function makeRandomFile(file: string, bytes: number): Promise<void> {
  let left = bytes;
  const src = Readable.from((function* () {
    while (left > 0) {
      const n = Math.min(left, 4 * 1024 * 1024);
      left -= n;
      yield randomBytes(n);
    }
  })());
  await pipeline(src, createWriteStream(file));
}

async function timeIt(runs: number, fn: () => Promise<string>): Promise<{ ms: number; hash: string }> {
  const times: number[] = [];
  let hash = '';
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    hash = await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)] ?? NaN, hash };
}

async function main(): Promise<void> {
  const sizeMiB = Number(arg('--size-mib', '1024'));
  const runs = Number(arg('--runs', '3'));
  if (!Number.isInteger(sizeMiB) || sizeMiB <= 0 || !Number.isInteger(runs) || runs <= 0) throw new Error('--size-mib and --runs take positive integers');
  const dir = await mkdtemp(path.join(arg('--dir', os.tmpdir()), 'hash-bench-'));
  const file = path.join(dir, `bench-${sizeMiB}MiB.bin`);
  try {
    const bytes = sizeMiB * 1024 * 1024;
    if (!existsSync(file)) await makeRandomFile(file, bytes);
    await pipeline(createReadStream(file), async function* (src) { for await (const _ of src) { /* warm the page cache */ } });
    const size = (await stat(file)).size;
    const pieceLength = choosePieceLength(size);
    const exp = Math.log2(pieceLength);
    const threads = os.availableParallelism();
    const announceList = [['http://127.0.0.1:6969/announce']];
    const common = { announceList, urlList: [], comment: 'bench', createdBy: 'bench', creationDate: 1_700_000_000, private: false, pieceLength };
    const name = path.basename(file);
    const rows: Array<[string, { ms: number; hash: string }]> = [];

    rows.push(['create-torrent 6 (in-process)', await timeIt(runs, () => new Promise((resolve, reject) => {
      createTorrent(file, { announceList: [['http://127.0.0.1:6969/announce']], pieceLength }, (err, buf) => (err ? reject(err) : resolve(infoHashOf(buf))));
    }))]);
    for (const sha256 of [false, true]) {
      rows.push([`our hasher, ${threads} threads${sha256 ? ' + sha256' : ''}`, await timeIt(runs, async () =>
        (await buildTorrent({ ...common, name, single: true, files: [{ absPath: file, path: [name], length: size }], threads, sha256 })).infoHash)]);
    }
    for (const t of [1, 2]) {
      const out = path.join(dir, `mk-${t}.torrent`);
      rows.push([`mktorrent -l ${exp} -t ${t} (process)`, await timeIt(runs, async () => {
        await rm(out, { force: true });
        await run('mktorrent', ['-l', String(exp), '-t', String(t), '-a', 'http://127.0.0.1:6969/announce', '-o', out, file]);
        return infoHashOf(await readFile(out));
      })]);
    }
    const reference = rows[0]?.[1].hash;
    const mk = rows.find(([n]) => n.startsWith('mktorrent -l') && n.includes('-t 1'))?.[1].ms ?? NaN;
    console.log(`file ${file}: ${sizeMiB} MiB, piece length ${pieceLength} (2^${exp}), median of ${runs} run(s), ${threads} CPUs`);
    for (const [label, r] of rows) {
      const mibs = sizeMiB / (r.ms / 1000);
      console.log(`${label.padEnd(36)} ${r.ms.toFixed(0).padStart(6)} ms ${mibs.toFixed(0).padStart(6)} MiB/s  ${(mk / r.ms).toFixed(2)}x mktorrent -t 1  info_hash ${r.hash} ${r.hash === reference ? 'matches create-torrent' : 'DIFFERS'}`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
