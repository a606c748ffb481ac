/**
 * What Node itself can do on this machine, as a target for the shared harness: a stateless tracker
 * stand-in on bare node:net and node:dgram that answers every announce with one fixed valid reply (50 peers,
 * like the harness asks for) and every UDP connect with a fixed id; no parsing beyond the request's end, no
 * swarm, no limits. Its ratio to opentracker in the same run is the ceiling a Node tracker can reach here;
 * the tracker's own ratio is read against it. Not a tracker: never expose it. With `libuv` it answers
 * through the tracker's own transports on libuv's handles (tcp-handle-transport.ts, udp-handle-endpoint.ts),
 * what the tracker runs on, and its UDP replies leave in bursts through the tracker's reply queue
 * (udp-reply-queue.ts), as the tracker's do: the floor of the tracker's I/O without the tracker.
 *
 *   node dist/bench/node-floor.js HTTP_PORT UDP_PORT [net|libuv]
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { handleTransport } from '../apps/tracker/src/tcp-handle-transport.js';
import type { TcpStream } from '../apps/tracker/src/tcp-transport.js';
import { handleUdpEndpoint } from '../apps/tracker/src/udp-handle-endpoint.js';
import { createReplyQueue } from '../apps/tracker/src/udp-reply-queue.js';
import type { UdpSender } from '../apps/tracker/src/udp-server.js';

const [httpPort, udpPort] = process.argv.slice(2, 4).map(Number);
const mode = process.argv[4] ?? 'net';
if (!(httpPort! > 0 && udpPort! > 0) || (mode !== 'net' && mode !== 'libuv')) {
  console.error('usage: node-floor.js HTTP_PORT UDP_PORT [net|libuv]');
  process.exit(2);
}

const peers = Buffer.alloc(50 * 6, 7);
const body = Buffer.concat([
  Buffer.from('d8:completei1e10:incompletei1e8:intervali1800e12:min intervali900e5:peers300:'),
  peers,
  Buffer.from('e'),
]);
const head = (close: boolean): Buffer =>
  Buffer.from(
    `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n${close ? 'Connection: close\r\n' : ''}\r\n`,
  );
const keepReply = Buffer.concat([head(false), body]);
const closeReply = Buffer.concat([head(true), body]);

/** The reply to a chunk: one request per chunk is all the harness sends. */
const replyTo = (chunk: Buffer): { reply: Buffer; close: boolean } =>
  chunk.includes('Connection: close') ? { reply: closeReply, close: true } : { reply: keepReply, close: false };

if (mode === 'net') {
  const server = net.createServer({ noDelay: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      // a Connection: close request gets the reply and the socket is closed at once, as the tracker does (a
      // direct wrk run: ~15 % more connections/s than end())
      const { reply, close } = replyTo(chunk);
      socket.write(reply);
      if (close) socket.destroy();
    });
  });
  server.listen(httpPort, '127.0.0.1');
} else {
  // each stream is its own owner, so an event finds the stream it is for
  const listener = handleTransport()!.createListener<TcpStream<unknown>>({
    maxConnections: 100_000,
    accepted: (stream) => {
      stream.owner = stream;
      stream.noDelay();
    },
    refused() {},
    failed() {},
    events: {
      data(stream, bytes, length) {
        const { reply, close } = replyTo(bytes.subarray(0, length));
        stream.write(reply);
        if (close) stream.closeWhenSent();
      },
      drained() {},
      ended: (stream) => stream.closeWhenSent(),
      closed() {},
    },
  });
  void listener.listen('127.0.0.1', httpPort!, false, 1024);
}

const udpAnnounce = Buffer.alloc(20 + peers.length);
udpAnnounce.writeUInt32BE(1, 0);
udpAnnounce.writeUInt32BE(1800, 8);
udpAnnounce.writeUInt32BE(1, 12);
udpAnnounce.writeUInt32BE(1, 16);
peers.copy(udpAnnounce, 20);
const udpConnect = Buffer.alloc(16);
function udpReply(msg: Buffer): Buffer | null {
  if (msg.length < 16) return null;
  const reply = msg.readUInt32BE(8) === 0 ? Buffer.from(udpConnect) : Buffer.from(udpAnnounce);
  msg.copy(reply, 4, 12, 16);
  return reply;
}
if (mode === 'net') {
  // as the tracker's dgram endpoint does (udp-endpoint.ts): replies go to literal addresses, so the lookup
  // answers at once instead of dns.lookup's deferred callback per send
  const udp = dgram.createSocket({ type: 'udp4', lookup: (address, _o, cb) => cb(null, address, 4) });
  udp.on('message', (msg, rinfo) => {
    const reply = udpReply(msg);
    if (reply !== null) udp.send(reply, rinfo.port, rinfo.address);
  });
  udp.bind(udpPort, '127.0.0.1');
} else {
  let replies: UdpSender | null = null;
  const endpoint = handleUdpEndpoint()!({
    host: '127.0.0.1',
    port: udpPort!,
    ipv6Only: false,
    bufferBytes: 4 * 1024 * 1024,
    message(msg, from) {
      const reply = udpReply(msg);
      if (reply !== null) replies!.send(reply, from.port, from.address);
    },
    error() {},
  });
  replies = createReplyQueue(endpoint, () => {});
  void endpoint.bind();
}
process.on('SIGTERM', () => process.exit(0));
