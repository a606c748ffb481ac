import { createRequire } from 'node:module';
import tty from 'node:tty';
import type { Logger as PinoLogger } from 'pino';
import type { prettyFactory as PrettyFactory } from 'pino-pretty';
import { ConfigError } from './config/config-error.js';
import { createJsonLogger } from './json-log.js';
import { stdoutLogSink, type LogSink } from './log-sink.js';

/**
 * What the apps call on a logger: pino's level methods, `level` and `isLevelEnabled`, and nothing else, because
 * createLogger's writer (json-log.ts) has nothing else. A pino logger is one too (the tests pass real ones).
 */
export type Logger = Pick<PinoLogger, 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'level' | 'isLevelEnabled'>;

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** `json`: one JSON line per event (journald, log shippers, tests); `pretty`: coloured lines for a person. */
export type LogFormat = 'json' | 'pretty';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

/** LOG_FORMAT wins; otherwise a terminal gets pretty lines and anything else (pipe, file, journald) JSON. */
export function chooseLogFormat(env: Record<string, string | undefined>, stdoutIsTty: boolean): LogFormat {
  const v = env['LOG_FORMAT'];
  if (v === undefined || v === '' || v === 'auto') return stdoutIsTty ? 'pretty' : 'json';
  if (v === 'json' || v === 'pretty') return v;
  // the apps check LOG_FORMAT at start (config/log-env.ts); this is the same ConfigError for any other reader
  throw new ConfigError(`environment LOG_FORMAT: ${JSON.stringify(v)} is not a log format (one of json, pretty, auto)`);
}

export interface LoggerOptions {
  readonly format?: LogFormat;
  readonly sink?: LogSink;
  /** Colours in pretty mode (default: yes, unless NO_COLOR is set). */
  readonly colorize?: boolean;
}

let processFormat: LogFormat | null = null;

const require = createRequire(import.meta.url);

/**
 * The format chosen once for this process (bad LOG_FORMAT falls back to auto; the mains validate it first).
 * isatty(1), not process.stdout.isTTY: creating process.stdout makes a piped fd 1 non-blocking.
 */
function defaultFormat(): LogFormat {
  if (processFormat === null) {
    try {
      processFormat = chooseLogFormat(process.env, tty.isatty(1));
    } catch {
      processFormat = chooseLogFormat({}, tty.isatty(1));
    }
  }
  return processFormat;
}

/**
 * One logger per app; `app` tells the three apps apart when they share a process. Lines go through a sink
 * that never throws and never blocks on a closed terminal or pipe (see log-sink.ts).
 */
export function createLogger(app: string, level: LogLevel = 'info', opts: LoggerOptions = {}): Logger {
  const sink = opts.sink ?? stdoutLogSink();
  const format = opts.format ?? defaultFormat();
  if (format === 'json') return createJsonLogger(app, level, (s) => sink.write(s));
  // loaded only for a person at a terminal: a service logging JSON to journald never pays for it (128 MB budget)
  const { prettyFactory } = require('pino-pretty') as { prettyFactory: typeof PrettyFactory };
  const pretty = prettyFactory({
    colorize: opts.colorize ?? (process.env['NO_COLOR'] === undefined || process.env['NO_COLOR'] === ''),
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'app',
    messageFormat: '{app}: {msg}',
    singleLine: true,
  });
  return createJsonLogger(app, level, (s) => {
    let line: string;
    try {
      line = pretty(s);
    } catch {
      line = s;
    }
    sink.write(line);
  });
}
