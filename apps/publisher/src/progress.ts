import type { Logger } from '../../../libs/common/src/log.js';

export interface ProgressSink {
  readonly isTTY: boolean;
  write(text: string): void;
}

/**
 * Hashing progress for one release: on a TTY a `\r`-rewritten line on stderr (percent and MiB/s, at most
 * 5 updates a second); otherwise one log line every `logEveryMs`. `now` is injected for tests.
 */
export function createProgress(
  name: string,
  log: Logger,
  sink: ProgressSink,
  now: () => number,
  logEveryMs = 5000,
): {
  update(done: number, total: number): void;
  end(): void;
} {
  const start = now();
  let lastDraw = 0;
  let drawn = false;
  const line = (done: number, total: number): { percent: number; mibps: number } => {
    const secs = Math.max(0.001, (now() - start) / 1000);
    return { percent: Math.floor((done / total) * 100), mibps: Math.round(done / 1048576 / secs) };
  };
  return {
    update(done, total) {
      const t = now();
      if (sink.isTTY) {
        if (t - lastDraw < 200 && done < total) return;
        lastDraw = t;
        const { percent, mibps } = line(done, total);
        sink.write(`\rhashing ${name}: ${String(percent).padStart(3)}% ${mibps} MiB/s `);
        drawn = true;
      } else if (t - (lastDraw || start) >= logEveryMs) {
        lastDraw = t;
        const { percent, mibps } = line(done, total);
        log.info({ release: name, percent, mibps }, 'hashing');
      }
    },
    end() {
      if (drawn) sink.write('\n');
    },
  };
}
