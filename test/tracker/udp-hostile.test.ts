import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import fc from 'fast-check';
import { startTrackerProcess, type TrackerProcess } from '../helpers/tracker-process.js';
import { httpGet } from '../helpers/http-client.js';
import { announcePacket, parseUdpAnnounce, udpConnect, udpRequest } from '../helpers/udp-client.js';
import { mutated, udpPacketArb } from '../helpers/fuzz.js';
import { randomHashHex } from '../helpers/tracker-urls.js';

/**
 * Hostile datagrams against the real process: an announce with port 0 sent from UDP source port 0 (a raw
 * socket, as root), which used to end the process, and 6,000 generated and mutated datagrams, many with a
 * valid connection id, from two addresses. The tracker must stay up, count them, and keep serving.
 */

const H = randomHashHex();

/** Sends `payload` to 127.0.0.1:port from UDP source port 0 with a raw socket; false if that is not possible here. */
function sendFromPortZero(port: number, payload: Buffer): boolean {
  const script = [
    'import socket, struct, sys',
    'p = bytes.fromhex(sys.argv[2])',
    's = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)',
    "s.sendto(struct.pack('!HHHH', 0, int(sys.argv[1]), 8 + len(p), 0) + p, ('127.0.0.1', 0))",
  ].join('\n');
  const r = spawnSync('python3', ['-c', script, String(port), payload.toString('hex')], { encoding: 'utf8', timeout: 10_000 });
  return r.status === 0;
}

async function udpStats(tr: TrackerProcess): Promise<Record<string, number>> {
  const s = JSON.parse((await httpGet(tr.httpPort, '/stats?format=json')).body.toString()) as { udp: Record<string, number> };
  return s.udp;
}

describe('UDP under hostile datagrams', () => {
  let tr: TrackerProcess;
  before(async () => {
    tr = await startTrackerProcess({ whitelist: [H] });
  });
  after(async () => {
    await tr?.cleanup();
  });

  async function assertServing(): Promise<void> {
    assert.ok(tr.alive(), `tracker exited\n${tr.stderr()}`);
    const cid = await udpConnect(tr.udpPort);
    const r = await udpRequest(
      tr.udpPort,
      announcePacket({ connectionId: cid, txid: 7, infoHash: Buffer.from(H, 'hex'), peerId: Buffer.alloc(20, 1), port: 6881, left: 1n }),
    );
    assert.ok(r !== null);
    assert.equal(parseUdpAnnounce(r).txid, 7);
  }

  test('connect, then an announce with port 0 from source port 0: no crash, the reply is dropped and counted', async (t) => {
    const cid = await udpConnect(tr.udpPort);
    const payload = announcePacket({
      connectionId: cid,
      txid: 9,
      infoHash: Buffer.from(H, 'hex'),
      peerId: Buffer.alloc(20, 2),
      port: 0,
      left: 1n,
    });
    const connect = Buffer.from('0000041727101980000000000000abcd', 'hex');
    if (!sendFromPortZero(tr.udpPort, connect) || !sendFromPortZero(tr.udpPort, payload)) {
      t.skip('raw sockets need root and python3');
      return;
    }
    for (let i = 0; i < 50 && (await udpStats(tr))['unsendable']! < 2; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(tr.alive(), `tracker exited\n${tr.stderr()}`);
    const s = await udpStats(tr);
    assert.equal(s['unsendable'], 2, 'the connect reply and the BAD_PORT error were dropped');
    assert.equal(s['errors'], 0);
    await assertServing();
  });

  test('6,000 generated and mutated datagrams from two addresses: still serving, every one counted', async () => {
    const sockets = await Promise.all(
      ['127.0.0.1', '127.0.0.2'].map(async (addr) => {
        const s = dgram.createSocket('udp4');
        s.on('message', () => {});
        s.on('error', () => {});
        s.bind(0, addr);
        await once(s, 'listening');
        return { s, cid: await udpConnect(tr.udpPort, { socket: s }) };
      }),
    );
    const before = (await udpStats(tr))['packets']!;
    const packets = fc.sample(fc.tuple(fc.oneof(udpPacketArb, mutated(udpPacketArb)), fc.boolean(), fc.nat(1)), {
      seed: 808,
      numRuns: 6000,
    });
    let n = 0;
    try {
      for (const [p, withCid, who] of packets) {
        const msg = Buffer.from(p);
        const { s, cid } = sockets[who]!;
        if (withCid && msg.length >= 16 && msg.readUInt32BE(8) !== 0) cid.copy(msg, 0);
        if (msg.length === 0 || msg.length > 9000) continue;
        s.send(msg, tr.udpPort, '127.0.0.1');
        // bounded rate: the kernel's receive buffer, not the tracker, would drop a burst
        if (++n % 200 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      await new Promise((r) => setTimeout(r, 300));
      await assertServing();
      const s = await udpStats(tr);
      assert.ok(s['packets']! - before >= n * 0.95, `${s['packets']! - before} of ${n} packets seen`);
      assert.equal(s['errors'], 0);
      assert.equal(s['sendErrors'], 0);
    } finally {
      for (const { s } of sockets) s.close();
    }
  });
});
