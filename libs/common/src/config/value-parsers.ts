/**
 * Value parsers shared by every app's flags, config-file lines and environment variables. Each takes the raw
 * text and returns the typed value, or throws a ConfigError whose message says what is wrong with the value;
 * the caller names where it came from (see parseAt): `option -p: '65536' is not a port number (0-65535)`.
 * Strict on purpose: no sign, exponent, hex or surrounding blanks, so a typo is an error, not a surprise.
 */
import { isIP } from 'node:net';
import { quote } from '../cli-errors.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../log.js';
import { ConfigError } from './config-error.js';

export function parsePort(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new ConfigError(`${quote(value)} is not a port number (0-65535)`);
  return Number(value);
}

/** A non-negative decimal integer in [min, max]; no sign, exponent, fraction or hex. */
export function parseIntIn(value: string, min: number, max: number): number {
  if (!/^\d{1,15}$/.test(value)) throw new ConfigError(`${quote(value)} is not a whole number (expected ${min}-${max})`);
  const n = Number(value);
  if (n < min || n > max) throw new ConfigError(`${n} is out of range (expected ${min}-${max})`);
  return n;
}

/** Seconds, fractions allowed (`2.5`), in [min, max]; no unit, so `10s` is refused rather than guessed. */
export function parseDuration(value: string, min: number, max: number): number {
  const n = /^\d{1,9}(\.\d{1,9})?$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= min && n <= max)) throw new ConfigError(`${quote(value)} is not a number of seconds from ${min} to ${max}`);
  return n;
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
};

/** Bytes, optionally with a binary unit (`64K`, `16MiB`, `1g`), in [min, max]. */
export function parseSize(value: string, min: number, max: number): number {
  const m = /^(\d{1,12})([a-z]{0,3})$/i.exec(value);
  const unit = m === null ? undefined : SIZE_UNITS[m[2]!.toLowerCase()];
  if (m === null || unit === undefined)
    throw new ConfigError(`${quote(value)} is not a size (bytes, or with K, M or G: e.g. 512, 64K, 16MiB)`);
  const n = Number(m[1]) * unit;
  if (n < min || n > max) throw new ConfigError(`${quote(value)} is out of range (expected ${min}-${max} bytes)`);
  return n;
}

/** A host to listen on or to put in a URL: an IP literal (IPv6 with or without brackets) or a DNS name. */
export function parseHost(value: string): string {
  const bare = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (isIP(bare) !== 0) return bare;
  const labels = value.split('.');
  const ok = value.length <= 253 && labels.every((l) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l));
  if (!ok) throw new ConfigError(`${quote(value)} is not an IP address or host name`);
  return value;
}

function listOf(words: readonly string[], last: string): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} ${last} ${words[words.length - 1]}`;
}

export interface UrlRules {
  /** `user:password@` refused (announce URLs and redirects are public). Default: allowed. */
  readonly noCredentials?: boolean;
}

/**
 * An absolute URL with one of `protocols` (`['http:', 'https:']`), returned as written. Blanks and control
 * characters are refused rather than silently dropped or escaped by URL().
 */
export function parseUrl(value: string, protocols: readonly string[], rules: UrlRules = {}): string {
  if (/[\u0000-\u0020\u007f]/.test(value)) throw new ConfigError(`${quote(value)}: URL must not contain spaces or control characters`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${quote(value)} is not a valid absolute URL`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(
      `${quote(value)}: only ${listOf(
        protocols.map((p) => p.replace(/:$/, '')),
        'and',
      )} URLs are allowed`,
    );
  }
  if (rules.noCredentials === true && (url.username !== '' || url.password !== ''))
    throw new ConfigError(`${quote(value)}: URL must not contain credentials`);
  return value;
}

export function parseLogLevel(value: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(value))
    throw new ConfigError(`${quote(value)} is not a log level (one of ${LOG_LEVELS.join(', ')})`);
  return value as LogLevel;
}

/** LOG_FORMAT: `json`, `pretty`, or `auto` (pretty on a terminal, JSON otherwise). */
export function parseLogFormat(value: string): LogFormat | 'auto' {
  if (value !== 'auto' && !(LOG_FORMATS as readonly string[]).includes(value)) {
    throw new ConfigError(`${quote(value)} is not a log format (one of ${[...LOG_FORMATS, 'auto'].join(', ')})`);
  }
  return value as LogFormat | 'auto';
}

/** A file or folder name, kept as given (the app resolves it against the right folder). */
export function parsePath(value: string): string {
  if (value.includes('\u0000')) throw new ConfigError('path contains a NUL byte');
  return value;
}

/** One of a few words (`remove`, `keep`). */
export function parseChoice<T extends string>(value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) throw new ConfigError(`${quote(value)}: expected ${listOf(choices, 'or')}`);
  return value as T;
}

/** Free text (a title, a command): not blank, at most `max` characters, no control characters but tabs. */
export function parseText(value: string, max: number): string {
  if (value.trim() === '') throw new ConfigError('must not be empty');
  if (value.length > max) throw new ConfigError(`longer than ${max} characters`);
  if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value)) throw new ConfigError(`${quote(value)} contains control characters`);
  return value;
}
