import type dgram from 'node:dgram';
import { once } from 'node:events';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../../libs/common/src/log.js';
import type { TrackerConfig } from './config.js';
import type { Counters, WireCounters } from './counters.js';
import type { WireRequest, WireResponse } from './http-routes.js';
import { createWireServer, type WireLimits } from './http-wire.js';
import { createReplyQueue } from './udp-reply-queue.js';
import { createUdpSocket, type UdpSender, type ReplyAddress } from './udp-server.js';

/** The tracker's sockets: one TCP server per `-p`, one UDP socket per `-P`, bound in the order given. */
export type ListenAddress = { proto: 'tcp' | 'udp'; address: string; port: number };

export interface Listeners {
  readonly addresses: readonly ListenAddress[];
  /** Stops accepting at once (a start-up step after binding failed). */
  closeNow(): void;
  /** Stops serving: UDP sockets closed, TCP servers closed with their open connections. */
  close(): Promise<void>;
}

export interface ListenerDeps {
  readonly route: (r: WireRequest) => WireResponse;
  readonly udpHandler: (socket: UdpSender, msg: Buffer, rinfo: ReplyAddress) => void;
  readonly counters: WireCounters & Pick<Counters, 'udpSendErrors'>;
  /** Addresses the per-address connection cap does not apply to. */
  isCapExempt(ip: string): boolean;
  readonly log: Logger;
}

type ListenConfig = Pick<TrackerConfig, 'tcp' | 'udp'> & Omit<WireLimits, 'isCapExempt'>;

/** Binds every listen address; on a failure the ones already bound are closed and the error is thrown. */
export async function bindListeners(config: ListenConfig, deps: ListenerDeps): Promise<Listeners> {
  const servers: Array<{ server: net.Server; closeAll(): void }> = [];
  const sockets: dgram.Socket[] = [];
  const addresses: ListenAddress[] = [];
  const closeNow = (): void => {
    for (const s of servers) s.server.close();
    for (const s of sockets) s.close();
  };
  try {
    for (const l of config.tcp) {
      const wire = createWireServer(deps.route, { ...config, isCapExempt: deps.isCapExempt }, deps.counters, deps.log);
      const server = wire.server;
      const listening = Promise.race([
        once(server, 'listening'),
        once(server, 'error').then(([e]) => {
          throw e;
        }),
      ]);
      server.listen({ host: l.host, port: l.port, ipv6Only: v6Only(l, config.tcp), backlog: 1024 });
      await listening;
      servers.push(wire);
      const a = server.address() as AddressInfo;
      addresses.push({ proto: 'tcp', address: a.address, port: a.port });
    }
    for (const l of config.udp) {
      const socket = createUdpSocket(l.host, v6Only(l, config.udp));
      const replies = createReplyQueue(socket, () => deps.counters.udpSendErrors++);
      socket.on('message', (msg, rinfo) => deps.udpHandler(replies, msg, rinfo));
      // listen before binding: with a synchronous lookup, 'listening' fires inside bind()
      const bound = Promise.race([
        once(socket, 'listening'),
        once(socket, 'error').then(([e]) => {
          throw e;
        }),
      ]);
      socket.bind({ address: l.host, port: l.port });
      await bound;
      socket.on('error', (err) => deps.log.error({ err }, 'udp socket error'));
      sockets.push(socket);
      const a = socket.address();
      addresses.push({ proto: 'udp', address: a.address, port: a.port });
    }
  } catch (err) {
    closeNow();
    throw err;
  }
  return {
    addresses,
    closeNow,
    async close() {
      for (const s of sockets) s.close();
      await Promise.all(
        servers.map(
          (s) =>
            new Promise<void>((resolve) => {
              s.server.close(() => resolve());
              s.closeAll();
            }),
        ),
      );
    },
  };
}

/** '::' also takes IPv4 unless the same port is bound on an IPv4 address too (both would collide). */
function v6Only(l: { host: string; port: number }, all: ReadonlyArray<{ host: string; port: number }>): boolean {
  return l.host.includes(':') && all.some((o) => !o.host.includes(':') && o.port === l.port);
}
