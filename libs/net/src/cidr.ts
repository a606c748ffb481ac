/**
 * CIDR rules (`10.0.0.0/8`, `2001:db8::/32`, a bare address = /32 or /128) and a matcher for the
 * per-request check (stats access, trusted proxies). Rules are precomputed to uint32 network and
 * mask words, so a check is a parse of the peer address plus a few integer compares per rule.
 * IPv6 rules inside `::ffff:0:0/96` become IPv4 rules, so `::ffff:10.0.0.0/104` and `10.0.0.0/8`
 * mean the same; `::/0` does not match IPv4 peers (write `0.0.0.0/0` as well to allow everyone).
 */
import { formatIpv4, formatIpv6, parseIp } from './ip.js';

export interface Cidr {
  readonly family: 4 | 6;
  /** Prefix length: 0-32 for IPv4, 0-128 for IPv6. */
  readonly bits: number;
  /** Network address with host bits cleared: one word for IPv4, four for IPv6. */
  readonly words: readonly number[];
  /** Canonical text, e.g. `10.0.0.0/8`; `parseCidr(text)` gives the same rule back. */
  readonly text: string;
}

export type IpMatcher = (ip: string) => boolean;

const BITS = /^(?:0|[1-9]\d{0,2})$/;
const EXAMPLES = 'expected an IP address or CIDR such as 127.0.0.1, 10.0.0.0/8, ::1 or 2001:db8::/32';

function maskWord(bits: number): number {
  if (bits <= 0) return 0;
  if (bits >= 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

/** Masks for each 32-bit word of a prefix of `bits` over `wordCount` words. */
function masksFor(bits: number, wordCount: number): number[] {
  const masks: number[] = [];
  for (let i = 0; i < wordCount; i++) masks.push(maskWord(bits - 32 * i));
  return masks;
}

function makeCidr(family: 4 | 6, address: readonly number[], bits: number): Cidr {
  const masks = masksFor(bits, address.length);
  const words = Object.freeze(address.map((w, i) => (w & (masks[i] as number)) >>> 0));
  const text = `${family === 4 ? formatIpv4(words[0] as number) : formatIpv6(words)}/${bits}`;
  return Object.freeze({ family, bits, words, text });
}

/** Parses `ip` or `ip/bits`. Host bits are cleared (`10.1.2.3/8` is `10.0.0.0/8`). Throws on garbage. */
export function parseCidr(input: string): Cidr {
  if (typeof input !== 'string') throw new Error(`invalid CIDR: ${String(input)} (${EXAMPLES})`);
  const shown = JSON.stringify(input.length > 80 ? `${input.slice(0, 80)}...` : input);
  const slash = input.indexOf('/');
  const addressText = slash < 0 ? input : input.slice(0, slash);
  const bitsText = slash < 0 ? null : input.slice(slash + 1);
  if (addressText.includes('%')) throw new Error(`invalid CIDR ${shown}: zone indexes (%...) are not supported`);
  const ip = parseIp(addressText);
  if (ip === null) throw new Error(`invalid CIDR ${shown}: ${JSON.stringify(addressText.slice(0, 80))} is not an IP address (${EXAMPLES})`);
  const explicitV6 = addressText.includes(':');
  const max = explicitV6 ? 128 : 32;
  let bits = max;
  if (bitsText !== null) {
    if (!BITS.test(bitsText) || Number(bitsText) > max) {
      throw new Error(`invalid CIDR ${shown}: prefix length must be an integer 0-${max}`);
    }
    bits = Number(bitsText);
  }
  if (ip.family === 6) return makeCidr(6, ip.words, bits);
  if (!explicitV6) return makeCidr(4, [ip.v4], bits);
  // An IPv4-mapped rule: as an IPv4 rule when it lies inside ::ffff:0:0/96, else keep it IPv6.
  if (bits >= 96) return makeCidr(4, [ip.v4], bits - 96);
  return makeCidr(6, [0, 0, 0xffff, ip.v4], bits);
}

/** True when `s` is a valid `ip` or `ip/bits`. */
export function isCidr(s: string): boolean {
  try {
    parseCidr(s);
    return true;
  } catch {
    return false;
  }
}

/**
 * A predicate "does this peer address fall in any rule". Unparseable addresses never match.
 * Keeps no cache: the cost is one parse per call, whatever the traffic.
 */
export function createIpMatcher(cidrs: readonly Cidr[]): IpMatcher {
  const v4: number[] = [];
  const v6: number[] = [];
  for (const c of cidrs) {
    if (c.family === 4) v4.push(c.words[0] as number, maskWord(c.bits));
    else v6.push(...c.words, ...masksFor(c.bits, 4));
  }
  if (v4.length === 0 && v6.length === 0) return () => false;
  return (address: string): boolean => {
    const ip = parseIp(address);
    if (ip === null) return false;
    if (ip.family === 4) {
      for (let i = 0; i < v4.length; i += 2) {
        if ((ip.v4 & (v4[i + 1] as number)) >>> 0 === v4[i]) return true;
      }
      return false;
    }
    const w = ip.words;
    for (let i = 0; i < v6.length; i += 8) {
      if (
        (w[0] & (v6[i + 4] as number)) >>> 0 === v6[i] &&
        (w[1] & (v6[i + 5] as number)) >>> 0 === v6[i + 1] &&
        (w[2] & (v6[i + 6] as number)) >>> 0 === v6[i + 2] &&
        (w[3] & (v6[i + 7] as number)) >>> 0 === v6[i + 3]
      ) {
        return true;
      }
    }
    return false;
  };
}

export { normalizeIp } from './ip.js';
