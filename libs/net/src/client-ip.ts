/**
 * The announcing peer's address behind reverse proxies (opentracker's `WANT_IP_FROM_PROXY`,
 * `access.proxy`). X-Forwarded-For is client-controlled except for the entries our own trusted
 * proxies appended on the right, so it is read from right to left:
 *
 * - the TCP peer is not a trusted proxy: the header is ignored (anyone can send it);
 * - otherwise skip entries that are trusted proxies and return the first one that is not;
 * - an entry that is not an address (garbage, empty, `unknown`, an obfuscated RFC 7239 name):
 *   stop and return the last valid hop, i.e. the trusted proxy that handed us that entry.
 *   Only a misconfigured proxy writes such an entry, and we cannot trust anything left of it;
 * - every entry is a trusted proxy: the leftmost one is returned.
 *
 * Entries may carry a port (`1.2.3.4:5678`, `[2001:db8::1]:443`) or brackets (`[::1]`); a bare
 * IPv6 address is taken as is. Several headers are joined with commas, in order, as RFC 9110
 * allows. The result is normalised (`normalizeIp`).
 */
import { normalizeIp, parseIp } from './ip.js';

/** Address of one X-Forwarded-For entry without port or brackets, or null if it is not one. */
export function parseForwardedHop(entry: string): string | null {
  let s = entry.trim();
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0) return null;
    const rest = s.slice(close + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return null;
    s = s.slice(1, close);
    if (!s.includes(':')) return null;
  } else if (/^[^:]+:\d{1,5}$/.test(s)) {
    s = s.slice(0, s.indexOf(':'));
  }
  if (s.includes('%')) return null;
  return parseIp(s) === null ? null : normalizeIp(s);
}

export function clientIp(
  remoteAddress: string,
  xForwardedFor: string | string[] | undefined,
  isTrustedProxy: (ip: string) => boolean,
): string {
  let hop = normalizeIp(remoteAddress);
  if (xForwardedFor === undefined || !isTrustedProxy(hop)) return hop;
  const joined = Array.isArray(xForwardedFor) ? xForwardedFor.join(',') : xForwardedFor;
  if (joined.trim() === '') return hop;
  const entries = joined.split(',');
  for (let i = entries.length - 1; i >= 0; i--) {
    const next = parseForwardedHop(entries[i] as string);
    if (next === null) return hop;
    hop = next;
    if (!isTrustedProxy(hop)) return hop;
  }
  return hop;
}
