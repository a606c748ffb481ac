/**
 * Value parsers for tracker options. Each takes the raw text and returns the typed value or
 * throws a plain Error whose message describes the problem; the caller prefixes it with where
 * the value came from (`option -p`, `opentracker.conf line 7`).
 */
import { LOG_LEVELS, type LogLevel } from '../../../libs/common/src/log.js';
import { parseCidr } from '../../../libs/net/src/cidr.js';
import { normalizeIp, parseIp } from '../../../libs/net/src/ip.js';

export interface ListenAddress {
  /** IP literal, IPv6 without brackets. */
  readonly host: string;
  readonly port: number;
}

/** Shows a user-supplied value in an error message without letting it forge extra lines. */
export function quote(value: string): string {
  const shown = value.length > 100 ? `${value.slice(0, 100)}...` : value;
  return /[\u0000-\u001f\u007f'\\]/.test(shown) ? JSON.stringify(shown) : `'${shown}'`;
}

export function parsePort(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) throw new Error(`${quote(value)} is not a port number (0-65535)`);
  return Number(value);
}

/** A non-negative decimal integer in [min, max]; no sign, exponent, fraction or hex. */
export function parseIntIn(value: string, min: number, max: number): number {
  if (!/^\d{1,15}$/.test(value)) throw new Error(`${quote(value)} is not a whole number (expected ${min}-${max})`);
  const n = Number(value);
  if (n < min || n > max) throw new Error(`${n} is out of range (expected ${min}-${max})`);
  return n;
}

/** An IP literal to bind to; brackets around IPv6 are accepted. Hostnames are refused (as opentracker does). */
export function parseBindHost(value: string): string {
  const bare = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (bare.includes('%')) throw new Error(`${quote(value)}: IPv6 zone indexes are not supported`);
  if (parseIp(bare) === null) throw new Error(`${quote(value)} is not an IP address (use e.g. 0.0.0.0, 127.0.0.1, :: or ::1; hostnames are not resolved)`);
  return normalizeIp(bare);
}

/** `ip`, `ip:port`, `[ipv6]`, `[ipv6]:port` or a bare IPv6 address (opentracker's `listen.*` syntax). */
export function parseListenAddress(value: string, defaultPort: number): ListenAddress {
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close < 0) throw new Error(`${quote(value)}: missing ']' after the IPv6 address`);
    const rest = value.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) throw new Error(`${quote(value)}: expected ':port' after ']'`);
    const host = parseBindHost(value.slice(1, close));
    if (!host.includes(':')) throw new Error(`${quote(value)}: brackets are only for IPv6 addresses`);
    return { host, port: rest === '' ? defaultPort : parsePort(rest.slice(1)) };
  }
  const colons = value.split(':').length - 1;
  if (colons === 1) {
    const [host = '', port = ''] = value.split(':');
    return { host: parseBindHost(host), port: parsePort(port) };
  }
  // No colon: IPv4 without port. Several: a bare IPv6 address, whose port cannot be written.
  return { host: parseBindHost(value), port: defaultPort };
}

export function parseCidrText(value: string): string {
  return parseCidr(value).text;
}

/** http(s) URL for the `GET /` redirect; control characters are refused, not silently stripped by URL(). */
export function parseRedirectUrl(value: string): string {
  if (/[\u0000-\u0020\u007f]/.test(value)) throw new Error(`${quote(value)}: URL must not contain spaces or control characters`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${quote(value)} is not a valid absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${quote(value)}: only http and https URLs are allowed`);
  if (url.username !== '' || url.password !== '') throw new Error(`${quote(value)}: URL must not contain credentials`);
  return value;
}

/** Login names as `useradd` accepts them (Debian's `_opentracker` included). */
export function parseUserName(value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/.test(value)) throw new Error(`${quote(value)} is not a valid user name`);
  return value;
}

/** The stats path without its leading slash, like opentracker's `access.stats_path`. */
export function parseStatsPath(value: string): string {
  const p = value.startsWith('/') ? value.slice(1) : value;
  if (!/^[A-Za-z0-9._~!$&'()*+,;=:@-]+(?:\/[A-Za-z0-9._~!$&'()*+,;=:@-]+)*$/.test(p)) {
    throw new Error(`${quote(value)} is not a usable URL path (letters, digits and -._~ segments separated by '/'; no '?', '#', '%' or spaces)`);
  }
  if (p.split('/').some((seg) => seg === '.' || seg === '..')) throw new Error(`${quote(value)}: '.' and '..' segments are not allowed`);
  return p;
}

export function parseLogLevel(value: string): LogLevel {
  if (!(LOG_LEVELS as readonly string[]).includes(value)) throw new Error(`${quote(value)} is not a log level (one of ${LOG_LEVELS.join(', ')})`);
  return value as LogLevel;
}

export function parsePathValue(value: string): string {
  if (value.includes('\u0000')) throw new Error('path contains a NUL byte');
  return value;
}
