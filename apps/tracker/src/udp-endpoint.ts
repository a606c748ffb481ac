import dgram from 'node:dgram';
import { once } from 'node:events';
import { handleUdpEndpoint } from './udp-handle-endpoint.js';
import type { ReplyAddress, UdpSender } from './udp-server.js';

/**
 * One bound UDP socket of the tracker: datagrams in to `message`, replies out through `send`. Two
 * implementations: udp-handle-endpoint.ts on libuv's UDP handle directly (the default), and the one below on
 * node:dgram, used when this Node's handle is not what the first expects.
 */
export interface UdpEndpoint extends UdpSender {
  /** Binds; from then on every datagram goes to `message`. Rejects with a Node-style error (`code` EADDRINUSE...). */
  bind(): Promise<{ address: string; port: number }>;
  close(): void;
}

export interface UdpEndpointOptions {
  readonly host: string;
  readonly port: number;
  /** '::' without the IPv4 addresses (another socket has the same port on IPv4). */
  readonly ipv6Only: boolean;
  message(msg: Buffer, from: ReplyAddress): void;
  /** A receive error after binding; the socket goes on. */
  error(err: Error): void;
}

/** Socket buffers of 4 MiB: a burst of announces waits in the kernel rather than being dropped. */
export const UDP_BUFFER_BYTES = 4 * 1024 * 1024;

export type UdpEndpointFactory = (options: UdpEndpointOptions) => UdpEndpoint;

/** libuv's UDP handle when this Node has it as expected, node:dgram otherwise. */
export function defaultUdpEndpoint(): UdpEndpointFactory {
  return handleUdpEndpoint() ?? dgramEndpoint;
}

/** On node:dgram. '::' takes IPv4 too (mapped addresses are stored as IPv4). */
export const dgramEndpoint: UdpEndpointFactory = (o) => {
  const v6 = o.host.includes(':');
  const socket = dgram.createSocket({
    type: v6 ? 'udp6' : 'udp4',
    ipv6Only: o.ipv6Only,
    recvBufferSize: UDP_BUFFER_BYTES,
    sendBufferSize: UDP_BUFFER_BYTES,
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
