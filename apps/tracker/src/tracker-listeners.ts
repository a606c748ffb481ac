import type { Logger } from '../../../libs/common/src/log.js';
import type { TrackerConfig } from './config.js';
import type { Counters, WireCounters } from './counters.js';
import type { WireRequest, WireResponse } from './http-routes.js';
import { createWireServer, type WireLimits, type WireServer } from './http-wire.js';
import { defaultTcpTransport } from './tcp-transport.js';
import { socketTransport } from './tcp-socket-transport.js';
import { createReplyQueue } from './udp-reply-queue.js';
import { dgramEndpoint } from './udp-dgram-endpoint.js';
import { UDP_BUFFER_BYTES, defaultUdpEndpoint, type UdpEndpoint } from './udp-endpoint.js';
import type { ReplyAddress, UdpSender } from './udp-server.js';

/** The tracker's sockets: one TCP server per `-p`, one UDP socket per `-P`, bound in the order given. */
export type ListenAddress = { proto: 'tcp' | 'udp'; address: string; port: number };

export interface Listeners {
  readonly addresses: readonly ListenAddress[];
  /** Stops serving at once: UDP sockets closed, TCP listeners closed with their open connections. */
  closeNow(): void;
  /** The same, for callers that await their shutdown steps. */
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
  // libuv's handles when this Node has them as expected (tcp-transport.ts, udp-endpoint.ts)
  const transport = defaultTcpTransport();
  const udpEndpoint = defaultUdpEndpoint();
  if (transport === socketTransport) {
    deps.log.warn(
      "this Node's libuv TCP handles are not the ones the tracker knows: HTTP is served through node:net, at about half the rate",
    );
  }
  if (udpEndpoint === dgramEndpoint) {
    deps.log.warn("this Node's libuv UDP handle is not the one the tracker knows: UDP is served through node:dgram, more slowly");
  }
  const servers: WireServer[] = [];
  const sockets: UdpEndpoint[] = [];
  const addresses: ListenAddress[] = [];
  const closeNow = (): void => {
    for (const s of servers) {
      s.listener.close();
      s.closeAll();
    }
    for (const s of sockets) s.close();
  };
  try {
    for (const l of config.tcp) {
      const wire = createWireServer(deps.route, { ...config, isCapExempt: deps.isCapExempt }, deps.counters, deps.log, transport);
      servers.push(wire);
      const a = await wire.listener.listen(l.host, l.port, v6Only(l, config.tcp), 1024);
      addresses.push({ proto: 'tcp', address: a.address, port: a.port });
    }
    for (const l of config.udp) {
      let replies: UdpSender | null = null;
      const endpoint = udpEndpoint({
        host: l.host,
        port: l.port,
        ipv6Only: v6Only(l, config.udp),
        bufferBytes: UDP_BUFFER_BYTES,
        message: (msg, rinfo) => deps.udpHandler(replies!, msg, rinfo),
        error: (err) => deps.log.error({ err }, 'udp socket error'),
      });
      replies = createReplyQueue(endpoint, () => deps.counters.udpSendErrors++);
      sockets.push(endpoint);
      const a = await endpoint.bind();
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
      closeNow();
    },
  };
}

/** '::' also takes IPv4 unless the same port is bound on an IPv4 address too (both would collide). */
function v6Only(l: { host: string; port: number }, all: ReadonlyArray<{ host: string; port: number }>): boolean {
  return l.host.includes(':') && all.some((o) => !o.host.includes(':') && o.port === l.port);
}
