import { nodeBinding, uvError } from './libuv-binding.js';
import type { UdpEndpoint, UdpEndpointFactory, UdpEndpointOptions } from './udp-endpoint.js';
import type { ReplyAddress } from './udp-server.js';

/**
 * A UDP socket on libuv's handle, the object node:dgram is built on (Node's `udp_wrap` binding, see
 * libuv-binding.ts). node:dgram adds per datagram an event emission on the way in and, on the way out,
 * argument checks, a buffer list, an address lookup and a request object; on loopback against the harness's
 * generator a fixed reply costs ~9.5 µs of CPU per announce this way and ~12.4 µs through dgram
 * (bench/RESULTS.md).
 * lib/dgram.js in Node is the reference for how the handle is driven. `handleUdpEndpoint()` checks its shape
 * first and returns null on a Node where it differs, and the tracker then runs on node:dgram.
 */

interface UdpHandle {
  onmessage: (nread: number, handle: unknown, buf?: Buffer, rinfo?: ReplyAddress) => void;
  bind(host: string, port: number, flags: number): number;
  bind6(host: string, port: number, flags: number): number;
  send(req: SendReq, list: Buffer[], count: number, port: number, address: string, hasCallback: boolean): number;
  send6(req: SendReq, list: Buffer[], count: number, port: number, address: string, hasCallback: boolean): number;
  recvStart(): number;
  bufferSize(size: number, recv: boolean, ctx: Record<string, unknown>): number | undefined;
  getsockname(out: Record<string, unknown>): number;
  close(): void;
}

interface SendReq {
  buffer?: Buffer;
}

interface Binding {
  readonly UDP: new () => UdpHandle;
  readonly SendWrap: new () => SendReq;
  readonly IPV6ONLY: number;
}

function loadBinding(): Binding | null {
  const udp = nodeBinding('udp_wrap');
  if (udp === null) return null;
  try {
    const constants = udp.constants as Record<string, unknown> | undefined;
    const UDP = udp.UDP as ((new () => unknown) & { prototype: Record<string, unknown> }) | undefined;
    const methods = ['bind', 'bind6', 'send', 'send6', 'recvStart', 'bufferSize', 'getsockname', 'close'];
    const ok =
      typeof UDP === 'function' &&
      methods.every((m) => typeof UDP.prototype[m] === 'function') &&
      typeof udp.SendWrap === 'function' &&
      constants?.UV_UDP_IPV6ONLY === 1;
    return ok ? { UDP: udp.UDP as Binding['UDP'], SendWrap: udp.SendWrap as Binding['SendWrap'], IPV6ONLY: 1 } : null;
  } catch {
    return null;
  }
}

function createEndpoint(b: Binding, o: UdpEndpointOptions): UdpEndpoint {
  const v6 = o.host.includes(':');
  const handle = new b.UDP();
  // a send the kernel takes at once never touches its request object or list (UDPWrap::DoSend in Node tries
  // the send first), so one of each serves every such send
  let spare: SendReq | null = null;
  const one: Buffer[] = [];
  let closed = false;
  return {
    send(msg, port, address, callback) {
      if (closed) throw new Error('udp socket closed');
      const req = spare ?? new b.SendWrap();
      one[0] = msg;
      const r = v6 ? handle.send6(req, one, 1, port, address, false) : handle.send(req, one, 1, port, address, false);
      one[0] = undefined as unknown as Buffer;
      // > 0: sent at once (the byte count + 1); 0: queued until the socket is writable; < 0: refused
      if (r < 0) throw uvError(r, 'send', address, port);
      if (r === 0) {
        spare = null;
        // the queued send reads the buffer later: it stays referenced from its request
        req.buffer = msg;
      } else spare = req;
      callback?.(null);
    },
    async bind() {
      let status = v6 ? handle.bind6(o.host, o.port, o.ipv6Only ? b.IPV6ONLY : 0) : handle.bind(o.host, o.port, 0);
      const out: Record<string, unknown> = {};
      if (status === 0) status = handle.getsockname(out);
      if (status === 0) {
        handle.onmessage = (nread, _h, buf, rinfo) => {
          if (nread < 0) o.error(uvError(nread, 'recvmsg'));
          else o.message(buf!, rinfo!);
        };
        status = handle.recvStart();
      }
      if (status !== 0) {
        closed = true;
        handle.close();
        throw uvError(status, 'bind', o.host, o.port);
      }
      // best effort, as node:dgram's option: a kernel limit below it leaves the kernel's size
      handle.bufferSize(o.bufferBytes, true, {});
      handle.bufferSize(o.bufferBytes, false, {});
      return { address: String(out.address), port: Number(out.port) };
    },
    close() {
      if (closed) return;
      closed = true;
      handle.close();
    },
  };
}

let binding: Binding | null | undefined;

/** UDP sockets on libuv's handle, or null when this Node's handle is not as expected. */
export function handleUdpEndpoint(): UdpEndpointFactory | null {
  if (binding === undefined) binding = loadBinding();
  const b = binding;
  return b === null ? null : (o) => createEndpoint(b, o);
}
