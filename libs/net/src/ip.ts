/**
 * IP address literals as numbers: IPv4 as one uint32, IPv6 as four uint32 words (big-endian
 * order). IPv4-mapped IPv6 (`::ffff:1.2.3.4`, also written `::ffff:102:304`) is reported as the
 * IPv4 address it carries, because a dual-stack socket shows IPv4 peers that way and rules must
 * treat them as the IPv4 peers they are. Parsing is strict: no leading zeros in IPv4 parts (they
 * would be octal to some tools), no hostnames, no brackets; a `%zone` suffix is dropped.
 */

export type ParsedIp =
  | { readonly family: 4; readonly v4: number }
  | { readonly family: 6; readonly words: readonly [number, number, number, number] };

const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;

/**
 * An IPv4 dotted quad as a uint32, or null. One pass over the characters, nothing allocated: the tracker
 * parses the address of every connection (the per-address cap and its exemptions).
 */
export function parseIpv4(s: string): number | null {
  const n = s.length;
  if (n < 7 || n > 15) return null;
  let value = 0;
  let parts = 0;
  let part = 0;
  let digits = 0;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : DOT;
    if (c === DOT) {
      if (digits === 0 || part > 255) return null;
      value = value * 256 + part;
      parts++;
      part = 0;
      digits = 0;
    } else if (c >= ZERO && c <= NINE && digits < 3 && !(digits === 1 && part === 0)) {
      part = part * 10 + (c - ZERO);
      digits++;
    } else {
      return null;
    }
  }
  return parts === 4 ? value : null;
}

function groupsOf(side: string, allowV4Tail: boolean): number[] | null {
  if (side === '') return [];
  const parts = side.split(':');
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    if (allowV4Tail && i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part);
      if (v4 === null) return null;
      groups.push(v4 >>> 16, v4 & 0xffff);
    } else if (HEX_GROUP.test(part)) {
      groups.push(parseInt(part, 16));
    } else {
      return null;
    }
  }
  return groups;
}

/** An IPv6 literal as eight 16-bit groups, or null. */
export function parseIpv6Groups(s: string): number[] | null {
  const halves = s.split('::');
  if (halves.length > 2) return null;
  if (halves.length === 1) {
    const groups = groupsOf(s, true);
    return groups !== null && groups.length === 8 ? groups : null;
  }
  const head = groupsOf(halves[0] as string, false);
  const tail = groupsOf(halves[1] as string, true);
  if (head === null || tail === null || head.length + tail.length > 7) return null;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/** Parses an IPv4 or IPv6 literal; IPv4-mapped IPv6 comes back as family 4. Null on anything else. */
export function parseIp(input: string): ParsedIp | null {
  if (typeof input !== 'string' || input.length === 0 || input.length > 64) return null;
  if (!input.includes(':')) {
    const v4 = parseIpv4(input);
    return v4 === null ? null : { family: 4, v4 };
  }
  const zone = input.indexOf('%');
  const groups = parseIpv6Groups(zone < 0 ? input : input.slice(0, zone));
  if (groups === null) return null;
  const words = [0, 2, 4, 6].map((i) => ((groups[i] as number) * 0x10000 + (groups[i + 1] as number)) >>> 0) as [
    number,
    number,
    number,
    number,
  ];
  if (words[0] === 0 && words[1] === 0 && words[2] === 0xffff) return { family: 4, v4: words[3] };
  return { family: 6, words };
}

export function formatIpv4(v4: number): string {
  return `${v4 >>> 24}.${(v4 >>> 16) & 255}.${(v4 >>> 8) & 255}.${v4 & 255}`;
}

/** RFC 5952 text: lower case, no leading zeros, the longest run (>= 2) of zero groups as '::'. */
export function formatIpv6(words: readonly number[]): string {
  const groups: number[] = [];
  for (const w of words) groups.push(w >>> 16, w & 0xffff);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export function formatIp(ip: ParsedIp): string {
  return ip.family === 4 ? formatIpv4(ip.v4) : formatIpv6(ip.words);
}

/** True for an IPv4 or IPv6 literal (IPv4-mapped included). */
export function isIp(s: string): boolean {
  return parseIp(s) !== null;
}

/**
 * The canonical text of an address: IPv4-mapped IPv6 becomes plain IPv4, IPv6 is lower-cased and
 * compressed (RFC 5952), a zone is dropped. Anything that does not parse is returned unchanged
 * (lower-cased) so callers can still log it.
 */
export function normalizeIp(ip: string): string {
  const parsed = parseIp(ip);
  return parsed === null ? String(ip).toLowerCase() : formatIp(parsed);
}
