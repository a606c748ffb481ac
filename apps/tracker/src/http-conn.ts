import type { FrameConn, FrameSink } from './http-framer.js';
import type { TcpStream } from './tcp-transport.js';

/**
 * One connection. It is its own FrameSink and its stream's owner: accepting a connection makes no closures
 * and no timers (one connection per request is how most clients talk to a tracker, so this setup is paid on
 * nearly every announce).
 */
export class Conn implements FrameConn, FrameSink {
  buf = '';
  pendingSince: number;
  closing = false;
  paused = false;
  aged = false;
  /** Last time bytes came in or the output drained, ms: the inactivity timeout runs from it. */
  lastActive: number;
  /** When a closing reply was queued, ms (0: not closing by reply); the stream is destroyed after CLOSE_GRACE_MS. */
  closedAt = 0;
  readonly sink: FrameSink = this;
  /** Neighbours in the wire's list of open connections (an intrusive list: no Set entry per connection). */
  prev: Conn | null = null;
  next: Conn | null = null;
  /** The client sent its FIN: close once the requests it sent before are answered. */
  clientEnded = false;
  /** TCP_NODELAY is set when first needed, see noNagle(). */
  noDelaySet = false;
  constructor(
    readonly stream: TcpStream<Conn>,
    /** Per-address bucket, or null when exempt. */
    readonly bucket: string | null,
    readonly openedAt: number,
  ) {
    this.pendingSince = openedAt;
    this.lastActive = openedAt;
  }

  get remoteAddress(): string {
    return this.stream.remoteAddress;
  }

  write(data: string | Buffer): number {
    this.noNagle();
    return this.stream.write(data);
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
    this.stream.noDelay();
  }

  end(data: string | Buffer, linger: boolean): void {
    // a client that never reads its reply must not hold the socket forever: the sweep destroys it after
    // CLOSE_GRACE_MS
    this.closedAt = Date.now();
    const stream = this.stream;
    // a client that sent its request and nothing more (one connection per request, the common case) gets
    // the reply and the FIN, and the socket is closed once the kernel has them, as opentracker does: waiting
    // for the client's FIN costs a read and a wake-up per connection
    if (!linger) {
      if (data.length > 0) stream.write(data);
      if (stream.unsent > 0) this.noNagle();
      stream.closeWhenSent();
      return;
    }
    this.noNagle();
    if (data.length > 0) stream.write(data);
    stream.endAndDrain();
  }
}
