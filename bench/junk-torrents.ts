/**
 * A flood of junk torrents for the open-mode memory caps: `count` BEP 15 announces, each for a new random
 * info_hash (and peer_id), at most 200 outstanding, over one socket:
 *   node dist/bench/junk-torrents.js <udp port> <count> [completed|started]
 * `completed` announces left=0 downloaded=1 event=completed (each one a counted download on a new torrent),
 * `started` a leecher. Prints {"sent","ok","seconds"}. Measure the tracker's RSS before and after, e.g.
 *   ./bin/tracker -i 127.0.0.1 -p 7070 -P 7070 -b empty-list --state-file /tmp/s --pid-file none & sleep 1
 *   grep VmRSS /proc/$!/status; node dist/bench/junk-torrents.js 7070 200000 completed; sleep 6; grep VmRSS /proc/$!/status
 */
import crypto from 'node:crypto';
import dgram from 'node:dgram';

const port = Number(process.argv[2]);
const count = Number(process.argv[3] ?? 200000);
const completed = (process.argv[4] ?? 'completed') === 'completed';
const socket = dgram.createSocket('udp4');
await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
const waiters = new Map<number, (m: Buffer | null) => void>();
socket.on('message', (m) => {
  if (m.length < 8) return;
  const w = waiters.get(m.readUInt32BE(4));
  if (w) {
    waiters.delete(m.readUInt32BE(4));
    w(m);
  }
});
let tx = 1;
function request(buf: Buffer, id: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      waiters.delete(id);
      resolve(null);
    }, 2000);
    waiters.set(id, (m) => {
      clearTimeout(timer);
      resolve(m);
    });
    socket.send(buf, port, '127.0.0.1');
  });
}
async function connect(): Promise<Buffer> {
  const b = Buffer.alloc(16);
  b.writeUInt32BE(0x417, 0);
  b.writeUInt32BE(0x27101980, 4);
  const id = tx++;
  b.writeUInt32BE(id, 12);
  const r = await request(b, id);
  if (r === null || r.length < 16) throw new Error('no connect reply');
  return r.subarray(8, 16);
}
let cid = await connect();
let cidAt = Date.now();
let done = 0;
let ok = 0;
async function one(): Promise<void> {
  const b = Buffer.alloc(98);
  cid.copy(b, 0);
  b.writeUInt32BE(1, 8);
  const id = tx++;
  b.writeUInt32BE(id, 12);
  crypto.randomFillSync(b, 16, 40); // info_hash and peer_id
  b.writeBigUInt64BE(completed ? 1n : 0n, 56);
  b.writeBigUInt64BE(completed ? 0n : 100n, 64);
  b.writeUInt32BE(completed ? 1 : 2, 80);
  b.writeInt32BE(-1, 92);
  b.writeUInt16BE(1 + (id % 60000), 96);
  const r = await request(b, id);
  done++;
  if (r !== null && r.readUInt32BE(0) === 1) ok++;
}
const t0 = Date.now();
while (done < count) {
  if (Date.now() - cidAt > 60000) {
    cid = await connect();
    cidAt = Date.now();
  }
  const batch: Array<Promise<void>> = [];
  for (let i = 0; i < 200 && done + batch.length < count; i++) batch.push(one());
  await Promise.all(batch);
}
process.stdout.write(JSON.stringify({ sent: done, ok, seconds: (Date.now() - t0) / 1000 }) + '\n');
socket.close();
