import fs from 'node:fs';

/**
 * Where log lines go: a file descriptor written synchronously (a line is out before the next event runs,
 * so the last words before an exit are kept). Writing must never hurt the process: a terminal that was
 * closed (EIO after SIGHUP), a pipe whose reader went away (`| head -1`: EPIPE) or a closed descriptor turn
 * the sink off for good; a full non-blocking pipe (EAGAIN) drops that one line instead of blocking the
 * tracker. Nothing here throws.
 */
export interface LogSink {
  write(text: string): void;
  /** Lines not written because the reader was slow (EAGAIN). */
  readonly dropped: number;
  /** Set once the descriptor failed for good; later writes are ignored. */
  readonly closedBy: string | null;
  /** Stops writing (used when a stream on the same descriptor reported EPIPE/EIO). */
  close(reason: string): void;
}

export type WriteSync = (fd: number, buffer: Buffer, offset: number) => number;

export function createFdSink(fd: number, writeSync: WriteSync = (f, b, o) => fs.writeSync(f, b, o)): LogSink {
  let dropped = 0;
  let closedBy: string | null = null;
  return {
    write(text) {
      if (closedBy !== null) return;
      const buf = Buffer.from(text);
      let off = 0;
      while (off < buf.length) {
        try {
          off += writeSync(fd, buf, off);
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
          if (code === 'EAGAIN' || code === 'EWOULDBLOCK') {
            dropped++;
            return;
          }
          if (code === 'EINTR') continue;
          closedBy = code;
          return;
        }
      }
    },
    get dropped() {
      return dropped;
    },
    get closedBy() {
      return closedBy;
    },
    close(reason) {
      closedBy ??= reason;
    },
  };
}

let stdoutSink: LogSink | null = null;

/** The one sink of the process's stdout, shared by every logger (the suite has four). */
export function stdoutLogSink(): LogSink {
  stdoutSink ??= createFdSink(1);
  return stdoutSink;
}

/** Error codes that mean "the reader of this output is gone", not a fault of the program. */
export const OUTPUT_GONE_CODES: ReadonlySet<string> = new Set(['EPIPE', 'EIO', 'EBADF', 'ECONNRESET', 'ENOTCONN', 'ERR_STREAM_DESTROYED']);
