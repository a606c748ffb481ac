import { parseIp } from '../../../libs/net/src/ip.js';

/**
 * Which direct downloads count. One address (an IPv4 address, or an IPv6 /64: one subscriber's
 * network) adds at most `perAddress` downloads of one release per `windowMs`; the first request of an
 * (address, release) pair opens its window. The table is capped: when it is full of live windows, new
 * pairs are not counted (rather than evicting windows, which would let a flood of addresses reset the
 * limit of one it wants to inflate). Pure: the clock is passed in.
 */
export interface DirectLimits {
  readonly perAddress: number;
  readonly windowMs: number;
  readonly maxTracked: number;
}

interface Slot {
  count: number;
  readonly opened: number;
}

/** The address group one limit applies to: the IPv4 address, or the IPv6 /64 prefix. */
export function addressGroup(ip: string): string {
  const p = parseIp(ip);
  if (p === null) return `?${ip.slice(0, 64)}`;
  if (p.family === 4) return `4:${p.v4}`;
  return `6:${p.words[0]}:${p.words[1]}`;
}

export class DirectDownloadLimiter {
  private readonly slots = new Map<string, Slot>();

  constructor(private readonly limits: DirectLimits) {}

  get size(): number {
    return this.slots.size;
  }

  /** True when this complete download counts (and uses one of the address's allowance). */
  admit(ip: string, infoHash: string, now: number): boolean {
    const key = `${addressGroup(ip)}|${infoHash}`;
    let slot = this.slots.get(key);
    if (slot !== undefined && now - slot.opened >= this.limits.windowMs) {
      this.slots.delete(key);
      slot = undefined;
    }
    if (slot === undefined) {
      if (this.slots.size >= this.limits.maxTracked) this.prune(now);
      if (this.slots.size >= this.limits.maxTracked) return false;
      slot = { count: 0, opened: now };
      this.slots.set(key, slot);
    }
    if (slot.count >= this.limits.perAddress) return false;
    slot.count++;
    return true;
  }

  private prune(now: number): void {
    // Map keeps insertion order, which is window-opening order: expired slots come first.
    for (const [key, slot] of this.slots) {
      if (now - slot.opened < this.limits.windowMs) break;
      this.slots.delete(key);
    }
  }
}

/**
 * A request that, if it finishes sending, is a direct download of the whole file: no Range header, or the
 * open range `bytes=0-` (download managers ask that way to learn whether they can resume). A closed range,
 * even one covering every byte (`bytes=0-<size-1>`), comes from a client that knew the size beforehand: a
 * BitTorrent client using the web seed (aria2c asks a small single-file release that way in one request);
 * the tracker counts that download, so it must not count here too.
 */
export function isWholeFileRequest(method: string, rangeHeader: string | undefined): boolean {
  if (method !== 'GET') return false;
  if (rangeHeader === undefined) return true;
  return /^bytes=0-$/.test(rangeHeader.trim());
}
