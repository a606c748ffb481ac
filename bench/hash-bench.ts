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
  const src = Readable.from(
    (function* () {
      while (left > 0) {
        const n = Math.min(left, 4 * 1024 * 1024);
        left -= n;
        yield randomBytes(n);
      }
    })(),
  );
  await pipeline(src, createWriteStream(file));
}

interface Tool {
  readonly label: string;
  readonly run: () => Promise<string>;
}

/** Runs the tools round-robin (so a busy machine slows them alike) and keeps each one's median time. */
async function timeAll(runs: number, tools: readonly Tool[]): Promise<Array<{ label: string; ms: number; hash: string }>> {
  const times = tools.map(() => [] as number[]);
  const hashes = tools.map(() => '');
  for (let i = 0; i < runs; i++) {
    for (const [k, tool] of tools.entries()) {
      const t0 = process.hrtime.bigint();
      hashes[k] = await tool.run();
      times[k]?.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  return tools.map((tool, k) => {
    const sorted = [...(times[k] ?? [])].sort((a, b) => a - b);
    return { label: tool.label, ms: sorted[Math.floor(sorted.length / 2)] ?? NaN, hash: hashes[k] ?? '' };
  });
}

/** Reads the file once so every tool sees a warm page cache. */
async function warmPageCache(file: string): Promise<void> {
  await pipeline(createReadStream(file), async (src) => {
    for await (const _ of src) {
      /* warm the page cache */
    }
  });
}

/** The tools compared, all on `file` with the same piece length; mktorrent writes its output in `dir`. */
function hashTools(dir: string, file: string, size: number, pieceLength: number, threads: number): Tool[] {
  const exp = Math.log2(pieceLength);
  const common = {
    announceList: [['http://127.0.0.1:6969/announce']],
    urlList: [],
    comment: 'bench',
    createdBy: 'bench',
    creationDate: 1_700_000_000,
    private: false,
    pieceLength,
  };
  const name = path.basename(file);
  const tools: Tool[] = [
    {
      label: 'create-torrent 6 (in-process)',
      run: () =>
        new Promise((resolve, reject) => {
          createTorrent(file, { announceList: [['http://127.0.0.1:6969/announce']], pieceLength }, (err, buf) =>
            err ? reject(err) : resolve(infoHashOf(buf)),
          );
        }),
    },
  ];
  for (const sha256 of [false, true]) {
    tools.push({
      label: `our hasher, ${threads} threads${sha256 ? ' + sha256' : ''}`,
      run: async () =>
        (await buildTorrent({ ...common, name, single: true, files: [{ absPath: file, path: [name], length: size }], threads, sha256 }))
          .infoHash,
    });
  }
  for (const t of [1, 2]) {
    const out = path.join(dir, `mk-${t}.torrent`);
    tools.push({
      label: `mktorrent -l ${exp} -t ${t} (process)`,
      run: async () => {
        await rm(out, { force: true });
        await run('mktorrent', ['-l', String(exp), '-t', String(t), '-a', 'http://127.0.0.1:6969/announce', '-o', out, file]);
        return infoHashOf(await readFile(out));
      },
    });
  }
  return tools;
}

/** One line per tool: median time, MiB/s, speed relative to mktorrent -t 1 and -t 2, and the info hash check. */
function printRows(rows: ReadonlyArray<{ label: string; ms: number; hash: string }>, sizeMiB: number): void {
  const reference = rows[0]?.hash;
  const mk1 = rows.find((r) => r.label.includes('-t 1'))?.ms ?? NaN;
  const mk2 = rows.find((r) => r.label.includes('-t 2'))?.ms ?? NaN;
  for (const r of rows) {
    const mibps = sizeMiB / (r.ms / 1000);
    console.log(
      `${r.label.padEnd(34)} ${r.ms.toFixed(0).padStart(6)} ms ${mibps.toFixed(0).padStart(6)} MiB/s  ${(mk1 / r.ms).toFixed(2)}x mk -t1  ${(mk2 / r.ms).toFixed(2)}x mk -t2  info_hash ${r.hash.slice(0, 12)}… ${r.hash === reference ? 'same as create-torrent' : 'DIFFERS'}`,
    );
  }
}

async function main(): Promise<void> {
  const sizeMiB = Number(arg('--size-mib', '1024'));
  const runs = Number(arg('--runs', '3'));
  if (!Number.isInteger(sizeMiB) || sizeMiB <= 0 || !Number.isInteger(runs) || runs <= 0)
    throw new Error('--size-mib and --runs take positive integers');
  const dir = await mkdtemp(path.join(arg('--dir', os.tmpdir()), 'hash-bench-'));
  const file = path.join(dir, `bench-${sizeMiB}MiB.bin`);
  try {
    if (!existsSync(file)) await makeRandomFile(file, sizeMiB * 1024 * 1024);
    await warmPageCache(file);
    const size = (await stat(file)).size;
    const pieceLength = choosePieceLength(size);
    const threads = os.availableParallelism();
    const rows = await timeAll(runs, hashTools(dir, file, size, pieceLength, threads));
    console.log(
      `file ${file}: ${sizeMiB} MiB, piece length ${pieceLength} (2^${Math.log2(pieceLength)}), median of ${runs} round-robin run(s), ${threads} CPUs, load ${os.loadavg()[0]?.toFixed(2)}`,
    );
    printRows(rows, sizeMiB);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
