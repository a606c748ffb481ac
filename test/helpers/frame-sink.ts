import type { FrameConn, FrameSink } from '../../apps/tracker/src/http-framer.js';

/** A sink that keeps what was written and how much of it the "peer" has not read yet. */
export class FakeSink implements FrameSink {
  readonly chunks: Buffer[] = [];
  queued = 0;
  ended = false;
  writesAfterEnd = 0;
  write(data: string | Buffer): number {
    if (this.ended) this.writesAfterEnd++;
    const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    this.chunks.push(b);
    this.queued += b.length;
    return this.queued;
  }
  end(data: string | Buffer): void {
    if (this.ended) this.writesAfterEnd++;
    this.chunks.push(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
    this.ended = true;
  }
  /** The peer reads everything. */
  drain(): void {
    this.queued = 0;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }
}

export function newConn(sink: FrameSink, now = 0): FrameConn {
  return { buf: '', pendingSince: now, closing: false, paused: false, aged: false, remoteAddress: '127.0.0.1', sink };
}
