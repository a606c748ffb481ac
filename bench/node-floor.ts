/**
 * What Node itself can do on this machine, as a target for the shared harness: a stateless tracker
 * stand-in on bare node:net and node:dgram that answers every announce with one fixed valid reply (50 peers,
 * like the harness asks for) and every UDP connect with a fixed id; no parsing beyond the request's end, no
 * swarm, no limits. Its ratio to opentracker in the same run is the ceiling a Node tracker can reach here;
 * the tracker's own ratio is read against it. Not a tracker: never expose it.
 *
 *   node dist/bench/node-floor.js HTTP_PORT UDP_PORT
 */
import dgram from 'node:dgram';
import net from 'node:net';

const [httpPort, udpPort] = process.argv.slice(2).map(Number);
if (!(httpPort! > 0 && udpPort! > 0)) {
  console.error('usage: node-floor.js HTTP_PORT UDP_PORT');
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

const server = net.createServer({ noDelay: true }, (socket) => {
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    // one request per chunk is all the harness sends; a Connection: close request gets the reply and the
    // socket is closed at once, as the tracker does (a direct wrk run: ~15 % more connections/s than end())
    if (chunk.includes('Connection: close')) {
      socket.write(closeReply);
      socket.destroy();
    } else {
      socket.write(keepReply);
    }
  });
});
server.listen(httpPort, '127.0.0.1');

const udpAnnounce = Buffer.alloc(20 + peers.length);
udpAnnounce.writeUInt32BE(1, 0);
udpAnnounce.writeUInt32BE(1800, 8);
udpAnnounce.writeUInt32BE(1, 12);
udpAnnounce.writeUInt32BE(1, 16);
peers.copy(udpAnnounce, 20);
const udpConnect = Buffer.alloc(16);
// as the tracker does (udp-server.ts): replies go to literal addresses, so the lookup answers at once instead of
// dns.lookup's deferred callback per send (not imported, so the floor loads none of the tracker's modules)
const udp = dgram.createSocket({ type: 'udp4', lookup: (address, _o, cb) => cb(null, address, 4) });
udp.on('message', (msg, rinfo) => {
  if (msg.length < 16) return;
  const reply = msg.readUInt32BE(8) === 0 ? Buffer.from(udpConnect) : Buffer.from(udpAnnounce);
  msg.copy(reply, 4, 12, 16);
  udp.send(reply, rinfo.port, rinfo.address);
});
udp.bind(udpPort, '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
