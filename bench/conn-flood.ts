/**
 * Idle keep-alive connection flood against ./bin/tracker on loopback, bounded in count (at most 30,000) and
 * time (about a minute): opens N connections, sends one request on each and reads its reply, so each
 * is an idle keep-alive connection, then reports how many the tracker kept open and its RSS.
 *
 *   npm run build && node dist/bench/conn-flood.js [--connections 20000] [--sources 1] [--root DIR] [-- tracker flags]
 *
 * --sources K spreads the connections over 127.0.0.1..127.0.0.K. Loopback is a stats client by default and
 * so exempt from the per-address cap; pass `-- -A 10.255.255.1` to apply it.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rssBytes, sleep, startTracker } from './proc.js';

const MAX_CONNECTIONS = 30_000;
const BATCH = 500;

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1]! : dflt;
}

function peakRss(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? null : Number(m[1]) * 1024;
  } catch {
    return null;
  }
}

const mib = (b: number | null): string => (b === null ? '?' : `${(b / 2 ** 20).toFixed(1)} MiB`);

const n = Math.min(MAX_CONNECTIONS, Number(arg('--connections', '20000')));
const sources = Math.max(1, Math.min(250, Number(arg('--sources', '1'))));
const root = path.resolve(arg('--root', path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')));
const dd = process.argv.indexOf('--');
const extraArgs = dd > 0 ? process.argv.slice(dd + 1) : [];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'conn-flood-'));
fs.writeFileSync(path.join(tmp, 'whitelist'), '');
const tracker = await startTracker({
  root,
  whitelist: path.join(tmp, 'whitelist'),
  stateFile: path.join(tmp, 'state'),
  cpu: null,
  extraArgs,
});
const deadline = Date.now() + 60_000;
const sockets: net.Socket[] = [];
let open = 0;
let answered = 0;
let failed = 0;
try {
  await sleep(500);
  const idle = rssBytes(tracker.pid);
  const request = 'GET /nothing HTTP/1.1\r\nHost: flood\r\n\r\n';
  for (let i = 0; i < n && Date.now() < deadline; i += BATCH) {
    await Promise.all(
      Array.from(
        { length: Math.min(BATCH, n - i) },
        (_, k) =>
          new Promise<void>((resolve) => {
            const s = net.connect({ host: '127.0.0.1', port: tracker.httpPort, localAddress: `127.0.0.${1 + ((i + k) % sources)}` });
            sockets.push(s);
            let done = false;
            const finish = (): void => {
              if (!done) {
                done = true;
                resolve();
              }
            };
            const timer = setTimeout(finish, 5000);
            s.on('connect', () => {
              open++;
              s.write(request);
            });
            s.once('data', () => {
              answered++;
              clearTimeout(timer);
              finish();
            });
            s.on('error', () => {
              failed++;
            });
            s.on('close', () => {
              open--;
              clearTimeout(timer);
              finish();
            });
          }),
      ),
    );
  }
  await sleep(2000);
  const rss = rssBytes(tracker.pid);
  const kept = open;
  const perConn = kept > 0 && idle !== null && rss !== null ? `${((rss - idle) / kept / 1024).toFixed(1)} KiB` : '?';
  process.stdout.write(
    [
      `tracker flags: ${extraArgs.join(' ') || '(defaults)'}; sources: ${sources}`,
      `attempted ${n}, answered ${answered}, still open after 2 s ${kept}, errors ${failed}`,
      `tracker RSS idle ${mib(idle)}, with the connections ${mib(rss)} (peak ${mib(peakRss(tracker.pid))}), ${perConn} per open connection`,
      `tracker alive: ${tracker.child.exitCode === null && tracker.child.signalCode === null}`,
      '',
    ].join('\n'),
  );
} finally {
  for (const s of sockets) s.destroy();
  await tracker.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
}
