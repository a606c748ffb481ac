import { pino, type Logger } from 'pino';

export type { Logger };

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** One JSON line per event on stdout; `app` tells the three apps apart when they share a process. */
export function createLogger(app: string, level: LogLevel = 'info'): Logger {
  return pino({ base: { app }, level });
}
