import dgram from 'node:dgram';
import { once } from 'node:events';
import type { UdpEndpointFactory } from './udp-endpoint.js';

/**
 * A UDP socket on node:dgram: the portable endpoint, for a Node whose UDP handle udp-handle-endpoint.ts does
 * not recognise. '::' takes IPv4 too (mapped addresses are stored as IPv4).
 */
export const dgramEndpoint: UdpEndpointFactory = (o) => {
  const v6 = o.host.includes(':');
  const socket = dgram.createSocket({
    type: v6 ? 'udp6' : 'udp4',
    ipv6Only: o.ipv6Only,
    recvBufferSize: o.bufferBytes,
    sendBufferSize: o.bufferBytes,
    // replies go to the literal address a packet came from: answering the "lookup" synchronously spares
    // dns.lookup's deferred callback on every send
    lookup: literalLookup,
  });
  socket.on('message', (msg, rinfo) => o.message(msg, rinfo));
  return {
    send: (msg, port, address, callback) => socket.send(msg, port, address, callback),
    async bind() {
      // listen before binding: with a synchronous lookup, 'listening' fires inside bind()
      const bound = Promise.race([
        once(socket, 'listening'),
        once(socket, 'error').then(([e]) => {
          throw e;
        }),
      ]);
      socket.bind({ address: o.host, port: o.port });
      await bound;
      socket.on('error', o.error);
      const a = socket.address();
      return { address: a.address, port: a.port };
    },
    close: () => socket.close(),
  };
};

function literalLookup(address: string, _opts: unknown, cb: (err: Error | null, address: string, family: number) => void): void {
  cb(null, address, address.includes(':') ? 6 : 4);
}
