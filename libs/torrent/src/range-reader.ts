import { closeSync, openSync, readSync } from 'node:fs';

/** A file of the payload, in piece order, with the size it had when the release was listed. */
export interface PayloadFile {
  readonly absPath: string;
  readonly length: number;
}

/** Raised when a file delivers fewer bytes than listed: it shrank or was truncated while we read it. */
export class PayloadChangedError extends Error {
  override name = 'PayloadChangedError';
  readonly code = 'EPAYLOADCHANGED';
}

/**
 * Reads byte ranges of the concatenation of `files` (the torrent's piece stream) with synchronous reads.
 * Used inside hash workers, where blocking is the point; keeps at most one file open.
 */
export class RangeReader {
  private fd: number | null = null;
  private fdIndex = -1;
  private readonly starts: number[] = [];

  constructor(private readonly files: readonly PayloadFile[]) {
    let at = 0;
    for (const f of files) {
      this.starts.push(at);
      at += f.length;
    }
  }

  /** Fills `buf[0, len)` with payload bytes starting at `offset`. Throws PayloadChangedError on a short file. */
  read(offset: number, buf: Buffer, len: number): void {
    let done = 0;
    let i = this.indexOf(offset);
    while (done < len) {
      const file = this.files[i];
      const start = this.starts[i];
      if (file === undefined || start === undefined) throw new PayloadChangedError('read past the end of the payload');
      const inFile = offset + done - start;
      const want = Math.min(len - done, file.length - inFile);
      if (want <= 0) {
        i++;
        continue;
      }
      const fd = this.open(i);
      let got = 0;
      while (got < want) {
        const n = readSync(fd, buf, done + got, want - got, inFile + got);
        if (n === 0) throw new PayloadChangedError(`${file.absPath} is shorter than its listed ${file.length} bytes`);
        got += n;
      }
      done += want;
      i++;
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.fdIndex = -1;
  }

  private indexOf(offset: number): number {
    let i = 0;
    while (i + 1 < this.starts.length && (this.starts[i + 1] ?? Infinity) <= offset) i++;
    return i;
  }

  private open(i: number): number {
    if (this.fdIndex === i && this.fd !== null) return this.fd;
    this.close();
    const file = this.files[i];
    if (file === undefined) throw new PayloadChangedError('no such file index');
    this.fd = openSync(file.absPath, 'r');
    this.fdIndex = i;
    return this.fd;
  }
}
