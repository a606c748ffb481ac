import type { UdpSender } from './udp-server.js';

/**
 * A UDP socket's replies held until the end of the event loop's poll phase and then sent back to back.
 *
 * libuv reads up to 32 datagrams from a readable socket in one pass (uv__udp_io in libuv's src/unix/udp.c),
 * and node:dgram runs the handler for each. Sending each reply as its handler finishes interleaves the
 * kernel's send path with the tracker's code packet by packet, and every reply can wake its receiver alone;
 * queued, the requests of one pass are answered first and their replies then leave in one burst.
 * Measured on loopback against the harness's generator: ~25 % more announces per second on one core
 * (bench/RESULTS.md). A reply waits at most for the rest of its pass: the time to answer 31 other datagrams.
 *
 * Never throws: a send that throws (the socket closed meanwhile, an address of the other family) is counted
 * through `onSendError`, and the replies after it still go. At most MAX_QUEUED replies wait; one more sends
 * them at once, so a pass of any length holds a bounded number of buffers.
 */
export const MAX_QUEUED = 256;

type SendCallback = (err: Error | null) => void;

export function createReplyQueue(socket: UdpSender, onSendError: () => void, defer: (flush: () => void) => void = setImmediate): UdpSender {
  const msgs: Buffer[] = [];
  const ports: number[] = [];
  const addresses: string[] = [];
  const callbacks: Array<SendCallback | undefined> = [];
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    const n = msgs.length;
    for (let i = 0; i < n; i++) {
      try {
        const cb = callbacks[i];
        if (cb === undefined) socket.send(msgs[i]!, ports[i]!, addresses[i]!);
        else socket.send(msgs[i]!, ports[i]!, addresses[i]!, cb);
      } catch {
        onSendError();
      }
    }
    msgs.length = 0;
    ports.length = 0;
    addresses.length = 0;
    callbacks.length = 0;
  }

  return {
    send(msg, port, address, callback) {
      msgs.push(msg);
      ports.push(port);
      addresses.push(address);
      callbacks.push(callback);
      if (msgs.length >= MAX_QUEUED) flush();
      else if (!scheduled) {
        scheduled = true;
        defer(flush);
      }
    },
  };
}
