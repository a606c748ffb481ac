/**
 * Compact peer addresses (BEP 23 / BEP 7): 4-byte IPv4 or 16-byte IPv6 address, then the port, network order.
 * IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`, what a dual-stack socket reports) are stored as IPv4 so a
 * peer is one peer whichever socket it came through.
 */

/** Writes ip:port at out[0..]; returns 6 or 18, or 0 when `ip` is not an address. */
export function writeCompact(ip: string, port: number, out: Uint8Array): 0 | 6 | 18 {
  if (ip.includes(':')) {
    if (ip.startsWith('::ffff:') && ip.includes('.', 7)) return writeV4(ip, 7, port, out);
    if (!writeV6(ip, out)) return 0;
    out[16] = port >>> 8;
    out[17] = port & 0xff;
    return 18;
  }
  return writeV4(ip, 0, port, out);
}

function writeV4(ip: string, from: number, port: number, out: Uint8Array): 0 | 6 {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = from; i <= ip.length; i++) {
    const c = i < ip.length ? ip.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || value > 255 || part > 3) return 0;
      out[part++] = value;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      value = value * 10 + (c - 48);
      digits++;
    } else {
      return 0;
    }
  }
  if (part !== 4) return 0;
  out[4] = port >>> 8;
  out[5] = port & 0xff;
  return 6;
}

function writeV6(ip: string, out: Uint8Array): boolean {
  const zone = ip.indexOf('%');
  const s = zone >= 0 ? ip.slice(0, zone) : ip;
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : halves[1]!.split(':')) : [];
  const words: number[] = [];
  const pushGroups = (groups: string[]): boolean => {
    for (let g = 0; g < groups.length; g++) {
      const grp = groups[g]!;
      if (g === groups.length - 1 && grp.includes('.')) {
        const v4 = new Uint8Array(6);
        if (writeV4(grp, 0, 0, v4) === 0) return false;
        words.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(grp)) return false;
        words.push(parseInt(grp, 16));
      }
    }
    return true;
  };
  if (!pushGroups(head)) return false;
  const headLen = words.length;
  if (!pushGroups(tail)) return false;
  const tailWords = words.splice(headLen);
  if (halves.length === 2) {
    if (headLen + tailWords.length > 7) return false;
    while (words.length + tailWords.length < 8) words.push(0);
  }
  words.push(...tailWords);
  if (words.length !== 8) return false;
  for (let w = 0; w < 8; w++) {
    out[w * 2] = words[w]! >>> 8;
    out[w * 2 + 1] = words[w]! & 0xff;
  }
  return true;
}

/** Text form of the compact address at `off` (6 or 18 bytes), e.g. for a compact=0 reply. */
export function readCompactIp(buf: Uint8Array, off: number, len: 6 | 18): string {
  if (len === 6) return `${buf[off]}.${buf[off + 1]}.${buf[off + 2]}.${buf[off + 3]}`;
  const parts: string[] = [];
  for (let w = 0; w < 8; w++) parts.push(((buf[off + w * 2]! << 8) | buf[off + w * 2 + 1]!).toString(16));
  return parts
    .join(':')
    .replace(/(^|:)0(:0)+(:|$)/, '::')
    .replace(/:::+/, '::');
}

export function readCompactPort(buf: Uint8Array, off: number, len: 6 | 18): number {
  return (buf[off + len - 2]! << 8) | buf[off + len - 1]!;
}
