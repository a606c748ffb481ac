import { dgramEndpoint } from './udp-dgram-endpoint.js';
import { handleUdpEndpoint } from './udp-handle-endpoint.js';
import type { ReplyAddress, UdpSender } from './udp-server.js';

/**
 * One bound UDP socket of the tracker: datagrams in to `message`, replies out through `send`. Two
 * implementations: udp-handle-endpoint.ts on libuv's UDP handle directly (the default), and
 * udp-dgram-endpoint.ts on node:dgram, used when this Node's handle is not what the first expects.
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
  /** Kernel receive and send buffer sizes asked for (the kernel may cap them). */
  readonly bufferBytes: number;
  message(msg: Buffer, from: ReplyAddress): void;
  /** A receive error after binding; the socket goes on. */
  error(err: Error): void;
}

/** The tracker's socket buffers, 4 MiB: a burst of announces waits in the kernel rather than being dropped. */
export const UDP_BUFFER_BYTES = 4 * 1024 * 1024;

export type UdpEndpointFactory = (options: UdpEndpointOptions) => UdpEndpoint;

/** libuv's UDP handle when this Node has it as expected, node:dgram otherwise. */
export function defaultUdpEndpoint(): UdpEndpointFactory {
  return handleUdpEndpoint() ?? dgramEndpoint;
}
