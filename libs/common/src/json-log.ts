import { createRequire } from 'node:module';
import type { Logger } from './log.js';

/**
 * pino's JSON lines (`pino({ base: { app }, level }, dest)`), written without loading pino: its ~30 modules
 * (sonic-boom, thread-stream -> worker_threads, assert...) are ~0.7 MiB of an idle tracker, which has a 50 MiB
 * budget, for features this project does not use (transports, redaction, child loggers, hooks). Every call the
 * apps make (a message, a merging object, an Error, then format arguments) gives pino's line byte for byte, time
 * aside (json-log.test.ts compares the two); the `err` key goes through pino's own error serializer.
 */

const require = createRequire(import.meta.url);
// pino's default serializer for `err` (type, message and stack with causes, own fields); 3 small files
const serializeError = require('pino-std-serializers/lib/err.js') as (err: unknown) => unknown;

export const LEVEL_VALUES = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 } as const;
type MethodLevel = keyof typeof LEVEL_VALUES;

let safeStringify: ((v: unknown) => string | undefined) | null = null;

/** pino's stringify: JSON.stringify, and for what it cannot take (cycles, BigInt) safe-stable-stringify. */
function stringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    try {
      safeStringify ??= (require('safe-stable-stringify') as { configure(o: object): (v: unknown) => string | undefined }).configure({});
      return safeStringify(value);
    } catch {
      return '"[unable to serialize, circular reference is too complex to analyze]"';
    }
  }
}

function asJsonValue(value: unknown): string | undefined {
  switch (typeof value) {
    case 'undefined':
    case 'function':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return String(value);
    case 'string':
      return JSON.stringify(value);
    default:
      return stringify(value);
  }
}

function format(msg: unknown, args: unknown[]): unknown {
  if (args.length === 0) return msg;
  // printf-style arguments: none of the apps pass any, so pino's formatter is loaded only if one does
  const quickFormat = require('quick-format-unescaped') as (f: unknown, a: unknown[], o: object) => unknown;
  return quickFormat(msg, args, {});
}

function line(head: string, obj: unknown, msg: unknown): string {
  let props = '';
  let merge: Record<string, unknown> | null = null;
  if (obj instanceof Error) {
    merge = { err: obj };
    if (msg === undefined) msg = obj.message;
  } else if (obj !== null && obj !== undefined) {
    merge = obj as Record<string, unknown>;
    const err = merge['err'] as { message?: unknown } | undefined;
    if (msg === undefined && merge['msg'] === undefined && err) msg = err.message;
  }
  if (merge !== null) {
    for (const key in merge) {
      let value = merge[key];
      if (!Object.hasOwn(merge, key) || value === undefined) continue;
      if (key === 'err') value = serializeError(value);
      const json = asJsonValue(value);
      if (json !== undefined) props += `,${JSON.stringify(key)}:${json}`;
    }
  }
  const m = msg === undefined || typeof msg === 'function' ? '' : `,"msg":${asJsonValue(msg)}`;
  return `${head}${props}${m}}\n`;
}

/** A logger with pino's level methods and JSON lines (the `Logger` of log.ts: nothing else is called on one). */
export function createJsonLogger(
  app: string,
  level: MethodLevel | 'silent',
  write: (line: string) => void,
  now: () => number = Date.now,
): Logger {
  const threshold = level === 'silent' ? Number.POSITIVE_INFINITY : LEVEL_VALUES[level];
  const bindings = `,"app":${JSON.stringify(app)}`;
  const logger: Record<string, unknown> = {
    level,
    isLevelEnabled: (l: MethodLevel) => LEVEL_VALUES[l] >= threshold,
  };
  for (const [name, value] of Object.entries(LEVEL_VALUES) as Array<[MethodLevel, number]>) {
    if (value < threshold) {
      logger[name] = () => {};
      continue;
    }
    logger[name] = (o: unknown, ...rest: unknown[]) => {
      const head = `{"level":${value},"time":${now()}${bindings}`;
      if (typeof o === 'object') {
        let msg: unknown = o;
        let args = rest;
        if (!(o === null && rest.length === 0)) {
          msg = rest[0];
          args = rest.slice(1);
        } else args = [null];
        write(line(head, o, format(msg, args)));
      } else {
        const msg = o === undefined ? rest[0] : o;
        write(line(head, null, format(msg, o === undefined ? rest.slice(1) : rest)));
      }
    };
  }
  return logger as unknown as Logger;
}
