/**
 * BEP 15 load generator, run as its own process (pinned to the generator CPU by udp-load.ts):
 *   node dist/bench/udp-gen.js '<json GenOptions>'
 * preload: every (t, k) with t + k * torrents < total announces once with event=started, retried on loss,
 *          until all are acknowledged or `seconds` pass.
 * load:    random (t, k) re-announces for `seconds`, `window` requests outstanding over `sockets` sockets.
 * Prints one JSON line (GenResult) on stdout. Counts as ok only action=1 replies of >= 20 bytes with the
 * transaction id of a request still outstanding.
 */
import dgram from 'node:dgram';
import fs from 'node:fs';
import { PEER_PORT_BASE, isSeeder, parseHashList, peerIdOf } from './population.js';

export interface GenOptions {
  readonly mode: 'preload' | 'load';
  readonly host: string;
  readonly port: number;
  readonly hashesFile: string;
  /** Torrents used (the first lines of hashesFile). */
  readonly torrents: number;
  /** Peers per torrent in the population (load) or the most per torrent (preload). */
  readonly peers: number;
  /** Preload only: total announces (default torrents * peers). */
  readonly total?: number;
  readonly seconds: number;
  readonly sockets: number;
  readonly window: number;
  readonly numwant: number;
  readonly seed: number;
}

export interface GenResult {
  readonly mode: string;
  readonly ok: number;
  readonly errors: number;
  readonly lost: number;
  readonly seconds: number;
  readonly perSecond: number[];
  readonly cpuSeconds: number;
  readonly complete: boolean;
}

const PROTOCOL_ID = 0x41727101980n;
const TIMEOUT_MS = 1000;
const RECONNECT_MS = 50_000;

function run(o: GenOptions): Promise<GenResult> {
  const hashes = parseHashList(fs.readFileSync(o.hashesFile, 'utf8')).slice(0, o.torrents);
  if (hashes.length < o.torrents) throw new Error(`${o.hashesFile} has ${hashes.length} hashes, ${o.torrents} needed`);
  const total = o.mode === 'preload' ? Math.min(o.total ?? o.torrents * o.peers, o.torrents * o.peers) : Infinity;
  let rng = o.seed >>> 0 || 1;
  const rand = (n: number): number => {
    rng ^= rng << 13; rng >>>= 0; rng ^= rng >>> 17; rng ^= rng << 5; rng >>>= 0;
    return rng % n;
  };
  let nextItem = 0;
  const retry: number[] = [];
  let acked = 0;
  let ok = 0;
  let errors = 0;
  let lost = 0;
  const buckets: number[] = [];
  let t0 = 0;
  let stopping = false;
  const cpu0 = process.cpuUsage();

  const takeItem = (): number | null => {
    if (o.mode === 'load') return rand(o.torrents) + o.torrents * rand(o.peers);
    if (retry.length > 0) return retry.pop()!;
    return nextItem < total ? nextItem++ : null;
  };

  return new Promise((resolve) => {
    const perSocket = Math.max(1, Math.ceil(o.window / o.sockets));
    const socks = Array.from({ length: o.sockets }, (_, si) => {
      const sock = dgram.createSocket('udp4');
      const pending = new Map<number, { sent: number; item: number }>();
      let connId: Buffer | null = null;
      let connectTx = 0;
      let tx = (si + 1) << 24;
      const connect = (): void => {
        const b = Buffer.alloc(16);
        b.writeBigUInt64BE(PROTOCOL_ID, 0);
        b.writeUInt32BE(0, 8);
        connectTx = (tx++ >>> 0);
        b.writeUInt32BE(connectTx, 12);
        sock.send(b, o.port, o.host);
      };
      const sendOne = (): boolean => {
        if (connId === null || stopping) return false;
        const item = takeItem();
        if (item === null) return false;
        const t = item % o.torrents;
        const k = Math.floor(item / o.torrents);
        const b = Buffer.allocUnsafe(98);
        connId.copy(b, 0);
        b.writeUInt32BE(1, 8);
        const id = (tx++ >>> 0);
        b.writeUInt32BE(id, 12);
        hashes[t]!.copy(b, 16);
        peerIdOf(t, k).copy(b, 36);
        b.writeBigUInt64BE(0n, 56);
        b.writeBigUInt64BE(isSeeder(k) ? 0n : 1_000_000n, 64);
        b.writeBigUInt64BE(0n, 72);
        b.writeUInt32BE(o.mode === 'preload' ? 2 : 0, 80);
        b.writeUInt32BE(0, 84);
        b.writeUInt32BE((t * 7919 + k) >>> 0, 88);
        b.writeInt32BE(o.numwant, 92);
        b.writeUInt16BE(PEER_PORT_BASE + k, 96);
        pending.set(id, { sent: Date.now(), item });
        sock.send(b, o.port, o.host);
        return true;
      };
      const fill = (): void => {
        while (pending.size < perSocket && sendOne()) { /* keep the window full */ }
      };
      sock.on('message', (msg) => {
        if (msg.length < 8) return;
        const action = msg.readUInt32BE(0);
        const id = msg.readUInt32BE(4);
        if (action === 0 && id === connectTx && msg.length >= 16) {
          const first = connId === null;
          connId = Buffer.from(msg.subarray(8, 16));
          if (first) { started(); fill(); }
          return;
        }
        const p = pending.get(id);
        if (!p) return;
        pending.delete(id);
        if (action === 1 && msg.length >= 20) {
          ok++;
          acked++;
          const sec = Math.floor((Date.now() - t0) / 1000);
          buckets[sec] = (buckets[sec] ?? 0) + 1;
        } else {
          errors++;
          if (o.mode === 'preload') acked++; // a refusal is an answer: retrying would not change it
        }
        fill();
        if (o.mode === 'preload' && acked >= total) finish(true);
      });
      sock.bind(0, '127.0.0.1', connect);
      return {
        sock, pending, fill, connect,
        sweep(now: number) {
          if (connId === null) { connect(); return; }
          for (const [id, p] of pending) {
            if (now - p.sent < TIMEOUT_MS) continue;
            pending.delete(id);
            lost++;
            if (o.mode === 'preload') retry.push(p.item);
          }
          fill();
        },
      };
    });
    let startedCount = 0;
    function started(): void {
      if (startedCount++ === 0) t0 = Date.now();
    }
    const sweeper = setInterval(() => {
      const now = Date.now();
      for (const s of socks) s.sweep(now);
    }, 250);
    const reconnect = setInterval(() => { for (const s of socks) s.connect(); }, RECONNECT_MS);
    const deadline = setTimeout(() => finish(o.mode === 'load'), o.seconds * 1000 + 2000);
    let done = false;
    function finish(complete: boolean): void {
      if (done) return;
      done = true;
      stopping = true;
      const seconds = t0 ? (Date.now() - t0) / 1000 : 0;
      clearInterval(sweeper);
      clearInterval(reconnect);
      clearTimeout(deadline);
      for (const s of socks) s.sock.close();
      const c = process.cpuUsage(cpu0);
      resolve({
        mode: o.mode, ok, errors, lost, seconds, perSecond: buckets.map((n) => n ?? 0),
        cpuSeconds: (c.user + c.system) / 1e6, complete,
      });
    }
    // load runs for `seconds` after the first connect; the deadline above is only a backstop
    if (o.mode === 'load') {
      const waitStart = setInterval(() => {
        if (t0 === 0) return;
        clearInterval(waitStart);
        setTimeout(() => finish(true), o.seconds * 1000 - (Date.now() - t0));
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
