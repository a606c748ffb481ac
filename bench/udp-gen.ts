/**
 * BEP 15 load generator, run as its own process (pinned to the generator CPU by udp-load.ts):
 *   node dist/bench/udp-gen.js '<json GenOptions>'
 * preload: every (t, k) with t + k * torrents < total announces once with event=started, retried on loss,
 *          until all are acknowledged or `seconds` pass.
 * load:    random (t, k) re-announces for `seconds`, `window` requests outstanding over `sockets` sockets.
 * Prints one JSON line (GenResult) on stdout. Counts as ok only action=1 replies of >= 20 bytes with the
 * transaction id of a request still outstanding.
 */
import fs from 'node:fs';
import { parseHashList } from './population.js';
import { GenSocket } from './udp-gen-socket.js';
import { GenTally } from './udp-gen-tally.js';
import type { GenOptions, GenResult } from './udp-gen-types.js';

export type { GenOptions, GenResult } from './udp-gen-types.js';

const RECONNECT_MS = 50_000;

function run(o: GenOptions): Promise<GenResult> {
  const hashes = parseHashList(fs.readFileSync(o.hashesFile, 'utf8')).slice(0, o.torrents);
  if (hashes.length < o.torrents) throw new Error(`${o.hashesFile} has ${hashes.length} hashes, ${o.torrents} needed`);
  const tally = new GenTally(o);
  const cpu0 = process.cpuUsage();

  return new Promise((resolve) => {
    const perSocket = Math.max(1, Math.ceil(o.window / o.sockets));
    const socks = Array.from({ length: o.sockets }, (_, si) => new GenSocket(o, tally, hashes, si, perSocket, () => finish(true)));
    const sweeper = setInterval(() => {
      const now = Date.now();
      for (const s of socks) s.sweep(now);
    }, 250);
    const reconnect = setInterval(() => {
      for (const s of socks) s.connect();
    }, RECONNECT_MS);
    const deadline = setTimeout(() => finish(o.mode === 'load'), o.seconds * 1000 + 2000);
    let done = false;
    function finish(complete: boolean): void {
      if (done) return;
      done = true;
      tally.stopping = true;
      const seconds = tally.t0 ? (Date.now() - tally.t0) / 1000 : 0;
      clearInterval(sweeper);
      clearInterval(reconnect);
      clearTimeout(deadline);
      for (const s of socks) s.close();
      const c = process.cpuUsage(cpu0);
      const { ok, errors, lost } = tally;
      resolve({
        mode: o.mode,
        ok,
        errors,
        lost,
        seconds,
        perSecond: tally.buckets.map((n) => n ?? 0),
        cpuSeconds: (c.user + c.system) / 1e6,
        complete,
      });
    }
    // load runs for `seconds` after the first connect; the deadline above is only a backstop
    if (o.mode === 'load') {
      const waitStart = setInterval(() => {
        if (tally.t0 === 0) return;
        clearInterval(waitStart);
        setTimeout(() => finish(true), o.seconds * 1000 - (Date.now() - tally.t0));
      }, 10);
    }
  });
}

const raw = process.argv[2];
if (raw === undefined) {
  process.stderr.write('usage: node dist/bench/udp-gen.js \'{"mode":"load",...}\'\n');
  process.exit(2);
}
const result = await run(JSON.parse(raw) as GenOptions);
process.stdout.write(`${JSON.stringify(result)}\n`);
