/**
 * Value parsers only the tracker needs (opentracker's address and listen syntax, user names, the stats
 * path); the common ones (ports, numbers, URLs, paths, log levels) are in libs/common/src/config. Each takes
 * the raw text and returns the typed value or throws a ConfigError describing the problem; the caller
 * prefixes it with where the value came from (`option -i`, `opentracker.conf line 7`).
 */
import { quote } from '../../../libs/common/src/cli-errors.js';
import { ConfigError } from '../../../libs/common/src/config/config-error.js';
import { parsePort } from '../../../libs/common/src/config/value-parsers.js';
import { parseCidr } from '../../../libs/net/src/cidr.js';
import { normalizeIp, parseIp } from '../../../libs/net/src/ip.js';

export interface ListenAddress {
  /** IP literal, IPv6 without brackets. */
  readonly host: string;
  readonly port: number;
}

/** An IP literal to bind to; brackets around IPv6 are accepted. Hostnames are refused (as opentracker does). */
export function parseBindHost(value: string): string {
  const bare = value.startsWith('[') && value.endsWith(']') ? value.slice(1, -1) : value;
  if (bare.includes('%')) throw new ConfigError(`${quote(value)}: IPv6 zone indexes are not supported`);
  if (parseIp(bare) === null)
    throw new ConfigError(`${quote(value)} is not an IP address (use e.g. 0.0.0.0, 127.0.0.1, :: or ::1; hostnames are not resolved)`);
  return normalizeIp(bare);
}

/** `ip`, `ip:port`, `[ipv6]`, `[ipv6]:port` or a bare IPv6 address (opentracker's `listen.*` syntax). */
export function parseListenAddress(value: string, defaultPort: number): ListenAddress {
  if (value.startsWith('[')) {
    const close = value.indexOf(']');
    if (close < 0) throw new ConfigError(`${quote(value)}: missing ']' after the IPv6 address`);
    const rest = value.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) throw new ConfigError(`${quote(value)}: expected ':port' after ']'`);
    const host = parseBindHost(value.slice(1, close));
    if (!host.includes(':')) throw new ConfigError(`${quote(value)}: brackets are only for IPv6 addresses`);
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

/** Login names as `useradd` accepts them (Debian's `_opentracker` included). */
export function parseUserName(value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?$/.test(value)) throw new ConfigError(`${quote(value)} is not a valid user name`);
  return value;
}

/** The stats path without its leading slash, like opentracker's `access.stats_path`. */
export function parseStatsPath(value: string): string {
  const p = value.startsWith('/') ? value.slice(1) : value;
  if (!/^[A-Za-z0-9._~!$&'()*+,;=:@-]+(?:\/[A-Za-z0-9._~!$&'()*+,;=:@-]+)*$/.test(p)) {
    throw new ConfigError(
      `${quote(value)} is not a usable URL path (letters, digits and -._~ segments separated by '/'; no '?', '#', '%' or spaces)`,
    );
  }
  if (p.split('/').some((seg) => seg === '.' || seg === '..'))
    throw new ConfigError(`${quote(value)}: '.' and '..' segments are not allowed`);
  return p;
}
