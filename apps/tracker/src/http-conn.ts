import type net from 'node:net';
import type { FrameConn, FrameSink } from './http-framer.js';

/**
 * One connection. It is its own FrameSink, and the socket's listeners are shared functions that find it on
 * the socket: accepting a connection makes no closures and no timers (one connection per request is how
 * most clients talk to a tracker, so this setup is paid on nearly every announce).
 */
export class Conn implements FrameConn, FrameSink {
  buf = '';
  pendingSince: number;
  closing = false;
  paused = false;
  aged = false;
  /** Last time bytes came in or the output drained, ms: the inactivity timeout runs from it. */
  lastActive: number;
  /** When a closing reply was queued, ms (0: not closing by reply); the socket is destroyed after CLOSE_GRACE_MS. */
  closedAt = 0;
  readonly sink: FrameSink = this;
  /** Neighbours in the wire's list of open connections (an intrusive list: no Set entry per connection). */
  prev: Conn | null = null;
  next: Conn | null = null;
  /** TCP_NODELAY and the 'drain' listener are set when first needed, see noNagle() and write(). */
  noDelaySet = false;
  drainHooked = false;
  constructor(
    readonly socket: net.Socket,
    readonly remoteAddress: string,
    /** Per-address bucket, or null when exempt. */
    readonly bucket: string | null,
    readonly openedAt: number,
    readonly onDrain: (this: net.Socket) => void,
  ) {
    this.pendingSince = openedAt;
    this.lastActive = openedAt;
  }

  write(data: string | Buffer): number {
    const socket = this.socket;
    this.noNagle();
    socket.write(data, 'latin1');
    // only report a full buffer when 'drain' will follow; otherwise a paused connection would never resume
    if (!socket.writableNeedDrain) return 0;
    if (!this.drainHooked) {
      // 'drain' only follows a write that filled the buffer: listened for from the first such write on
      this.drainHooked = true;
      socket.on('drain', this.onDrain);
    }
    return socket.writableLength;
  }

  /**
   * A connection that is written more than its one closing reply (keep-alive, a reply in parts, a reply the
   * kernel did not take whole) sends without Nagle's wait for the previous small segment's ack. The
   * one-request connection, the common case, never needs it: its reply is one write on an idle connection,
   * and closing the socket pushes out whatever the kernel held back; so it is spared the syscall.
   */
  private noNagle(): void {
    if (this.noDelaySet) return;
    this.noDelaySet = true;
    this.socket.setNoDelay(true);
  }

  end(data: string | Buffer, linger: boolean): void {
    // a client that never reads its reply must not hold the socket forever: the sweep destroys it after
    // CLOSE_GRACE_MS
    this.closedAt = Date.now();
    const socket = this.socket;
    // a client that sent its request and nothing more (one connection per request, the common case) gets
    // the reply and the FIN, and the socket is closed once they are handed to the kernel, as opentracker
    // does: waiting for the client's FIN costs a read, an 'end' and their ticks per connection
    if (!linger) {
      socket.write(data, 'latin1');
      // the kernel took the whole reply (the usual case for a tracker reply): close now; the kernel sends it
      // and then the FIN, so the shutdown call and the stream's end sequence are not needed
      if (socket.writableLength === 0) {
        socket.destroy();
        return;
      }
      this.noNagle();
      socket.on('finish', destroySocket);
      socket.end();
      return;
    }
    this.noNagle();
    socket.end(data, 'latin1');
  }
}

export function destroySocket(this: net.Socket): void {
  this.destroy();
}
