import { readdir, readFile, readlink } from 'node:fs/promises';

/**
 * Where the tracker we signal answers HTTP, from Linux's /proc: its listening TCP sockets. Asking that very
 * process (not whatever the public announce URL reaches: a proxy, another tracker, an address this host cannot
 * reach) makes the reload confirmation about the tracker that got the SIGHUP. Parsers are pure; the I/O is
 * `trackerScrapeUrl`.
 */

export interface Listener {
  readonly address: string;
  readonly port: number;
  readonly inode: string;
}

/** A tracker holds at most a few thousand descriptors (its connection cap); more are not looked at. */
const MAX_FDS = 20_000;

/** A /proc/net/tcp address word: 8 hex digits, the 4 bytes in host (little-endian) order. */
function wordBytes(hex: string): number[] {
  const n = Number.parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

function addressOf(hex: string): string | null {
  if (hex.length === 8) return wordBytes(hex).join('.');
  if (hex.length !== 32) return null;
  const bytes = [0, 8, 16, 24].flatMap((i) => wordBytes(hex.slice(i, i + 8)));
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(':');
}

/** The LISTEN (state 0A) sockets of a /proc/net/tcp or tcp6 text; other lines and junk are skipped. */
export function parseListeners(text: string): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const m = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(f[1] ?? '');
    if (!m || f[3] !== '0A' || !/^\d{1,20}$/.test(f[9] ?? '')) continue;
    const address = addressOf(m[1]!);
    if (address !== null) out.push({ address, port: Number.parseInt(m[2]!, 16), inode: f[9]! });
  }
  return out;
}

/** The host part of a URL that reaches a listener from this host: the wildcard addresses become loopback. */
export function localHost(address: string): string {
  if (address === '0.0.0.0') return '127.0.0.1';
  if (/^[0:]+$/.test(address)) return '[::1]';
  if (address.includes(':')) {
    // an IPv4-mapped listener (::ffff:a.b.c.d) is reached at its IPv4 address
    const mapped = /^0:0:0:0:0:ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(address);
    if (mapped) {
      const hi = Number.parseInt(mapped[1]!, 16);
      const lo = Number.parseInt(mapped[2]!, 16);
      return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
    }
    return `[${address}]`;
  }
  return address;
}

/** The listeners owned by a process: those whose socket inode is one of its descriptors (`socket:[inode]`). */
export function ownedBy(listeners: readonly Listener[], socketInodes: ReadonlySet<string>): Listener[] {
  return listeners.filter((l) => socketInodes.has(l.inode));
}

async function socketInodes(pid: number): Promise<Set<string>> {
  const dir = `/proc/${pid}/fd`;
  const inodes = new Set<string>();
  const fds = (await readdir(dir)).slice(0, MAX_FDS);
  for (const fd of fds) {
    const target = await readlink(`${dir}/${fd}`).catch(() => '');
    const m = /^socket:\[(\d+)\]$/.exec(target);
    if (m) inodes.add(m[1]!);
  }
  return inodes;
}

async function readOrEmpty(file: string): Promise<string> {
  return readFile(file, 'latin1').catch(() => '');
}

/**
 * `http://<host>:<port>/scrape` of the first TCP listener of process `pid`; 'none' when /proc shows it has none
 * (a UDP-only tracker, not a tracker); null when /proc cannot tell (not Linux, another user's process).
 */
export async function trackerScrapeUrl(pid: number): Promise<string | 'none' | null> {
  let inodes: Set<string>;
  try {
    inodes = await socketInodes(pid);
  } catch {
    return null;
  }
  const owned = ownedBy(
    [...parseListeners(await readOrEmpty(`/proc/${pid}/net/tcp`)), ...parseListeners(await readOrEmpty(`/proc/${pid}/net/tcp6`))],
    inodes,
  );
  const first = owned[0];
  return first === undefined ? 'none' : `http://${localHost(first.address)}:${first.port}/scrape`;
}
