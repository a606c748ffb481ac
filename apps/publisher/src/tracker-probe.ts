import { trackerScrapeUrl } from './tracker-listeners.js';
import type { ProbeAnswer } from './tracker-signal.js';

/**
 * Asks a tracker whether it accepts info_hashes, with a scrape (side-effect free, open to everyone, unlike an
 * announce that would add a peer). Our tracker lists a hash it has no peers for yet only when its access list
 * allows it, so a new hash in `files` means the reload that added it is in force (a hash it held before is
 * listed either way: tracker-signal.ts asks before the signal too). opentracker lists only hashes it has peers
 * for, whatever its list says: its reload is confirmed by the reload command instead.
 */

/** A scrape asks at most this many hashes (opentracker's limit; ours too). */
const SCRAPE_MAX = 64;
/** A scrape reply for 64 hashes is about 3 KB; anything much longer is not a tracker's answer. */
const MAX_REPLY_BYTES = 64 * 1024;
const REQUEST_TIMEOUT_MS = 2000;

/** The scrape URL of an announce URL, by the convention trackers follow (BEP 48): `…/announce…` -> `…/scrape…`. */
export function scrapeUrlOf(announceUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(announceUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const slash = url.pathname.lastIndexOf('/');
  const last = url.pathname.slice(slash + 1);
  if (!last.startsWith('announce')) return null;
  url.pathname = `${url.pathname.slice(0, slash + 1)}scrape${last.slice('announce'.length)}`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

function percentBytes(hex: string): string {
  return hex.replace(/../g, (b) => `%${b.toUpperCase()}`);
}

/** The requests for a set of hex hashes, at most SCRAPE_MAX hashes each. */
export function scrapeRequests(scrapeUrl: string, hashes: readonly string[]): Array<{ url: string; hashes: string[] }> {
  const out: Array<{ url: string; hashes: string[] }> = [];
  for (let i = 0; i < hashes.length; i += SCRAPE_MAX) {
    const part = hashes.slice(i, i + SCRAPE_MAX);
    out.push({ url: `${scrapeUrl}?${part.map((h) => `info_hash=${percentBytes(h)}`).join('&')}`, hashes: part });
  }
  return out;
}

/**
 * The hashes a bencoded scrape reply has a `files` entry for. A key of `files` is written `20:<hash>`; a failure
 * reply or an error page has none of them.
 */
export function listedIn(body: Buffer, hashes: readonly string[]): string[] {
  if (!body.subarray(0, 8).equals(Buffer.from('d5:files'))) return [];
  return hashes.filter((h) => body.includes(Buffer.concat([Buffer.from('20:'), Buffer.from(h, 'hex')])));
}

async function readCapped(res: Response): Promise<Buffer | null> {
  if (res.body === null) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body) {
    size += (chunk as Uint8Array).length;
    if (size > MAX_REPLY_BYTES) return null;
    chunks.push(Buffer.from(chunk as Uint8Array));
  }
  return Buffer.concat(chunks);
}

/** A probe for tracker-signal.ts: the hashes the tracker at `scrapeUrl` reports, or null when it does not answer. */
export function scrapeProbe(scrapeUrl: string): (hashes: readonly string[]) => Promise<ProbeAnswer> {
  return async (hashes) => {
    const reported = new Set<string>();
    for (const { url, hashes: part } of scrapeRequests(scrapeUrl, hashes)) {
      let body: Buffer | null;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), redirect: 'error' });
        body = await readCapped(res);
        if (res.status !== 200 || body === null) return null;
      } catch {
        return null;
      }
      // bencoded but not a scrape (a failure reason): a tracker that does not scrape cannot confirm anything
      if (!body.subarray(0, 8).equals(Buffer.from('d5:files'))) return null;
      for (const h of listedIn(body, part)) reported.add(h);
    }
    return reported;
  };
}

/**
 * The probe the publisher uses after a SIGHUP: the scrape URL of the signalled process itself (from /proc), or
 * when /proc cannot tell, the one of the HTTP announce URL; null answers when there is none (a process without
 * a TCP listener is not asked through the announce URL: whatever answers there is another process). Looked up
 * once per tracker pid.
 */
export function trackerProbe(announceHttpUrl: string): (hashes: readonly string[], pid: number) => Promise<ProbeAnswer> {
  const fallback = scrapeUrlOf(announceHttpUrl);
  let known: { readonly pid: number; readonly url: string | null } | null = null;
  return async (hashes, pid) => {
    if (known?.pid !== pid) {
      const own = await trackerScrapeUrl(pid);
      known = { pid, url: own === 'none' ? null : (own ?? fallback) };
    }
    return known.url === null ? null : scrapeProbe(known.url)(hashes);
  };
}
