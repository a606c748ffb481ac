import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../../libs/common/src/log.js';

/**
 * A real pino logger whose JSON lines land parsed in `lines`, for tests that assert on what was logged.
 * No pid/hostname in the records (base: null); `level` as pino names it.
 */
export function memoryLogger(level: pino.LevelWithSilent = 'info'): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ base: null, level }, stream) as unknown as Logger, lines };
}
