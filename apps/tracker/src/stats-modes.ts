import { binToHex, encodeScrape, formatTxtpLine } from '../../../libs/protocol/src/index.js';
import { formatStateRow } from '../../../libs/swarm/src/index.js';
import { SUITE_NAME, SUITE_VERSION } from '../../../libs/common/src/version.js';
import type { Counters } from './counters.js';
import type { ScrapeRow, Tracker } from './tracker.js';

/**
 * opentracker's /stats, rendered from the tracker's state. Pure apart from reading the tracker: the
 * HTTP server decides access, compression and headers. Texts match opentracker's so MRTG/Munin scripts keep
 * working; the counters behind them are the right ones (opentracker's herr labels and fscr are wrong).
 */
export interface StatsReply {
  readonly status: 200 | 400;
  readonly contentType: string;
  readonly body: Buffer;
  /** Large bodies (tpbs, statedump) are gzipped when the client accepts it. */
  readonly compressible: boolean;
}

export const VERSION = `${SUITE_NAME} ${SUITE_VERSION} (opentracker-compatible /stats)`;

const TEXT = 'text/plain';
const MODES = new Set([
  'peer',
  'torr',
  'conn',
  'tcp4',
  'udp4',
  'scrp',
  'fscr',
  'completed',
  'syncs',
  'herr',
  'renew',
  'version',
  'top10',
  'top100',
  'everything',
  'tpbs',
  'statedump',
  'json',
  'completions',
]);
/** The completion feed: entries per reply by default, and at most. */
export const FEED_LIMIT_DEFAULT = 1000;
export const FEED_LIMIT_MAX = 10000;

/** Extra query parameters some modes read (the completion feed's since and limit). */
export interface StatsParams {
  get(name: string): string | null;
}
const NO_PARAMS: StatsParams = { get: () => null };
const TPBS_FORMATS = new Set(['txt', 'txtp', 'bin', 'url', 'ben', 'json']);

export function renderStats(
  tracker: Tracker,
  mode: string | null,
  format: string | null,
  nowMs: number,
  params: StatsParams = NO_PARAMS,
): StatsReply {
  const m = mode ?? 'peer';
  if (!MODES.has(m)) return bad(`unknown mode ${JSON.stringify(m)}; known: ${[...MODES].join(', ')}`);
  if (m === 'completions') return completionFeed(tracker, params);
  if (format === 'json' && m !== 'tpbs') return json(snapshot(tracker, nowMs));
  const c = tracker.counters;
  const up = Math.max(1, Math.floor((nowMs - c.startedAt) / 1000));
  const uptime = `${up} seconds (${Math.floor(up / 3600)} hours)`;
  const rate = (n: number): number => Math.floor(n / up);
  switch (m) {
    case 'peer': {
      const t = totals(tracker);
      return text(`${t.peers}\n${t.seeds}\nopentracker serving ${t.torrents} torrents\nopentracker`);
    }
    case 'torr': {
      const t = totals(tracker);
      return text(`${t.torrents}\n0\nopentracker serving ${t.torrents} torrents\nopentracker`);
    }
    case 'conn': {
      const a = c.tcpAccepts + c.udpPackets;
      const b = c.tcpAnnounces + c.udpAnnounces + c.udpConnects;
      return text(`${a}\n${b}\n${uptime}\nopentracker connections, ${rate(a)} conns/s :: ${rate(b)} success/s.`);
    }
    case 'tcp4':
      return text(
        `${c.tcpAccepts}\n${c.tcpAnnounces}\n${uptime}\nopentracker tcp4 stats, ${rate(c.tcpAccepts)} conns/s :: ${rate(c.tcpAnnounces)} success/s.`,
      );
    case 'udp4': {
      const ok = c.udpAnnounces + c.udpConnects;
      return text(`${c.udpPackets}\n${ok}\n${uptime}\nopentracker udp4 stats, ${rate(c.udpPackets)} conns/s :: ${rate(ok)} success/s.`);
    }
    case 'scrp':
      return text(
        `${c.tcpScrapes}\n${c.udpScrapes}\n${uptime}\nopentracker scrape stats, ${rate(c.tcpScrapes + c.udpScrapes)} scrape/s (tcp and udp)`,
      );
    case 'fscr':
      return text(
        `${c.fullScrapes}\n${c.fullScrapeBytes}\n${uptime}\nopentracker full scrape stats, ${rate(c.fullScrapes)} conns/s :: ${rate(c.fullScrapeBytes)} bytes/s.`,
      );
    case 'completed':
      return text(
        `${c.completed}\n0\n${uptime}\nopentracker, ${Math.floor(c.completed / Math.max(1, Math.floor(up / 3600)))} completed/h.`,
      );
    case 'syncs':
      return text(`0\n0\n${uptime}\nopentracker connections, 0 conns/s :: 0 success/s.`);
    case 'herr':
      return text(herr(c));
    case 'renew':
      return text(c.renew.map((n, i) => `${String(i).padStart(2, '0')} ${n}\n`).join(''));
    case 'version':
      return text(`${VERSION}\n`);
    case 'top10':
    case 'top100':
      return text(top(tracker, m === 'top10' ? 10 : 100));
    case 'everything':
      return { status: 200, contentType: 'text/xml', body: Buffer.from(everything(tracker, nowMs)), compressible: true };
    case 'statedump':
      return big(statedump(tracker));
    case 'json':
      return json(snapshot(tracker, nowMs));
    default: // tpbs
      return tpbs(tracker.allRows(), format ?? 'txt');
  }
}

function tpbs(rows: ScrapeRow[], format: string): StatsReply {
  if (!TPBS_FORMATS.has(format)) return bad(`unknown format ${JSON.stringify(format)}; known: ${[...TPBS_FORMATS].join(', ')}`);
  switch (format) {
    case 'txt':
      return big(rows.map((r) => `${hex(r.infoHash)}:${r.complete}:${r.incomplete}\n`).join(''));
    case 'txtp':
      return big(rows.map((r) => formatTxtpLine(r.infoHash, r.complete, r.incomplete, r.downloaded)).join(''));
    case 'url':
      return big(rows.map((r) => `${urlEncode(r.infoHash)}:${r.complete}:${r.incomplete}\n`).join(''));
    case 'bin': {
      const out = Buffer.alloc(rows.length * 28);
      rows.forEach((r, i) => {
        out.write(r.infoHash, i * 28, 'latin1');
        out.writeUInt32BE(r.complete, i * 28 + 20);
        out.writeUInt32BE(r.incomplete, i * 28 + 24);
      });
      return { status: 200, contentType: 'application/octet-stream', body: out, compressible: true };
    }
    case 'ben':
      return { status: 200, contentType: TEXT, body: encodeScrape(rows), compressible: true };
    default:
      return {
        status: 200,
        contentType: 'application/json',
        compressible: true,
        body: Buffer.from(
          JSON.stringify(
            rows.map((r) => ({
              infoHash: hex(r.infoHash).toLowerCase(),
              seeders: r.complete,
              leechers: r.incomplete,
              downloaded: r.downloaded,
            })),
          ),
        ),
      };
  }
}

/**
 * `mode=completions&since=SEQ[&limit=N]`: counted completions after SEQ from the journal, in order, as
 * `{"journal":ID,"first":F,"last":L,"entries":[[seq,timeMs,"hex info_hash"],...]}`. Seqs start at 1 and have no
 * gaps within one journal id; `first` is the oldest still kept. A reader stores the last seq it applied with
 * what it applied, and asks again from there: each completion is seen once, whatever restarts in between.
 */
function completionFeed(tracker: Tracker, params: StatsParams): StatsReply {
  const log = tracker.completions;
  if (log === null) return bad('no completion journal in this tracker');
  const sinceText = params.get('since') ?? '0';
  if (!/^\d{1,15}$/.test(sinceText)) return bad(`since must be a seq (a whole number), not ${JSON.stringify(sinceText.slice(0, 40))}`);
  const limitText = params.get('limit');
  if (limitText !== null && !/^\d{1,15}$/.test(limitText))
    return bad(`limit must be a whole number, not ${JSON.stringify(limitText.slice(0, 40))}`);
  const limit = limitText === null ? FEED_LIMIT_DEFAULT : Math.min(FEED_LIMIT_MAX, Math.max(1, Number(limitText)));
  const st = log.status();
  const entries = log.entries(Number(sinceText), limit);
  return json({ journal: st.id, first: st.first, last: st.last, entries });
}

function statedump(tracker: Tracker): string {
  // opentracker's bytes exactly, for other tools: without the state file's `# journal` line
  let out = '';
  for (const [key, t] of [...tracker.store.torrents].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    out += formatStateRow(hex(key), t.touched, t.downloaded);
  }
  return out;
}

function herr(c: Counters): string {
  const e = (k: Parameters<Counters['httpError']>[0]): number => c.httpErrors.get(k) ?? 0;
  let failures = 0;
  for (const n of c.failures.values()) failures += n;
  return [
    `302 RED ${e('302 Redirect')}`,
    `400 ... ${e('400 Invalid Request')}`,
    `400 PAR ${failures}`,
    '400 COM 0',
    `403 IP  ${e('403 Access Denied')}`,
    `404 INV ${e('404 Not Found')}`,
    `405 MTH ${e('405 Method Not Allowed')}`,
    `413 BDY ${e('413 Payload Too Large')}`,
    `414 URI ${e('414 URI Too Long')}`,
    `431 HDR ${e('431 Request Header Fields Too Large')}`,
    `500 SRV ${e('500 Internal Server Error')}`,
    '',
  ].join('\n');
}

function top(tracker: Tracker, n: number): string {
  const rows = tracker.allRows();
  const section = (title: string, value: (r: ScrapeRow) => number): string => {
    const best = rows
      .filter((r) => value(r) > 0)
      .sort((a, b) => value(b) - value(a))
      .slice(0, n);
    return `Top ${n} torrents by ${title}:\n` + best.map((r) => `\t${value(r)}\t${hex(r.infoHash)}\n`).join('');
  };
  return (
    section('peers', (r) => r.complete + r.incomplete) + section('seeds', (r) => r.complete) + section('leechers', (r) => r.incomplete)
  );
}

function everything(tracker: Tracker, nowMs: number): string {
  const c = tracker.counters;
  const t = totals(tracker);
  const renew = c.renew.map((n, i) => `      <count interval="${String(i).padStart(2, '0')}">${n}</count>`).join('\n');
  const errors = [...c.httpErrors].map(([k, n]) => `      <count code="${k}">${n}</count>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<stats>
  <tracker_id>0</tracker_id>
  <version>${VERSION}</version>
  <uptime>${Math.floor((nowMs - c.startedAt) / 1000)}</uptime>
  <torrents>
    <count_mutex>${t.torrents}</count_mutex>
    <count_iterator>${t.torrents}</count_iterator>
  </torrents>
  <peers>
    <count>${t.peers}</count>
  </peers>
  <seeds>
    <count>${t.seeds}</count>
  </seeds>
  <completed>
    <count>${c.completed}</count>
  </completed>
  <connections>
    <tcp>
      <accept>${c.tcpAccepts}</accept>
      <announce>${c.tcpAnnounces}</announce>
      <scrape>${c.tcpScrapes}</scrape>
    </tcp>
    <udp>
      <overall>${c.udpPackets}</overall>
      <connect>${c.udpConnects}</connect>
      <announce>${c.udpAnnounces}</announce>
      <scrape>${c.udpScrapes}</scrape>
      <missmatch>${c.udpMismatches}</missmatch>
    </udp>
    <livesync>
      <count>0</count>
    </livesync>
  </connections>
  <debug>
    <renew>
${renew}
    </renew>
    <http_error>
${errors}
    </http_error>
    <mutex_stall>
      <count>0</count>
    </mutex_stall>
  </debug>
</stats>`;
}

/** The JSON form: every counter under a stable name. */
export function snapshot(tracker: Tracker, nowMs: number): Record<string, unknown> {
  const c = tracker.counters;
  const t = totals(tracker);
  return {
    version: VERSION,
    uptimeSeconds: Math.floor((nowMs - c.startedAt) / 1000),
    torrents: t.torrents,
    peers: t.peers,
    seeders: t.seeds,
    leechers: t.peers - t.seeds,
    completed: c.completed,
    refused: c.refused,
    torrentsFull: c.torrentsFull,
    completionsNotCounted: { ...tracker.store.refusals },
    completionDedupeEntries: tracker.store.dedupeEntries,
    peersNotStored: tracker.store.peersNotStored,
    journal: tracker.completions?.status() ?? null,
    store: tracker.cluster?.status() ?? { store: 'memory' },
    accessList: {
      mode: tracker.policy.mode,
      size: c.accessListSize,
      reloads: c.accessListReloads,
      loadedAt: c.accessListLoadedAt ? new Date(c.accessListLoadedAt).toISOString() : null,
    },
    tcp: {
      accepts: c.tcpAccepts,
      requests: c.tcpRequests,
      announces: c.tcpAnnounces,
      scrapes: c.tcpScrapes,
      fullScrapes: c.fullScrapes,
      refusedTotalCap: c.tcpRefusedTotal,
      refusedPerAddressCap: c.tcpRefusedPerAddress,
      aged: c.tcpAged,
      readPauses: c.tcpPaused,
      errors: c.tcpErrors,
    },
    udp: {
      packets: c.udpPackets,
      connects: c.udpConnects,
      announces: c.udpAnnounces,
      scrapes: c.udpScrapes,
      connectionIdMismatches: c.udpMismatches,
      dropped: c.udpDropped,
      errors: c.udpErrors,
      unsendable: c.udpUnsendable,
      sendErrors: c.udpSendErrors,
    },
    httpErrors: Object.fromEntries(c.httpErrors),
    failures: Object.fromEntries(c.failures),
  };
}

export function totals(tracker: Tracker): { torrents: number; peers: number; seeds: number } {
  let peers = 0;
  let seeds = 0;
  for (const t of tracker.store.torrents.values()) {
    peers += (t.v4?.count ?? 0) + (t.v6?.count ?? 0);
    seeds += (t.v4?.seeders ?? 0) + (t.v6?.seeders ?? 0);
  }
  return { torrents: tracker.store.torrents.size, peers, seeds };
}

function hex(key: string): string {
  return binToHex(key).toUpperCase();
}

/** libowfat's fmt_urlencoded, as opentracker's format=url: unreserved bytes literal, the rest %xx lower case. */
function urlEncode(key: string): string {
  let out = '';
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    const unreserved =
      (c >= 0x30 && c <= 0x39) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x61 && c <= 0x7a) ||
      c === 0x2d ||
      c === 0x2e ||
      c === 0x5f ||
      c === 0x7e;
    out += unreserved ? String.fromCharCode(c) : '%' + c.toString(16).padStart(2, '0');
  }
  return out;
}

function text(s: string): StatsReply {
  return { status: 200, contentType: TEXT, body: Buffer.from(s), compressible: false };
}

function big(s: string): StatsReply {
  return { status: 200, contentType: TEXT, body: Buffer.from(s), compressible: true };
}

function json(v: unknown): StatsReply {
  return { status: 200, contentType: 'application/json', body: Buffer.from(JSON.stringify(v)), compressible: true };
}

function bad(message: string): StatsReply {
  return { status: 400, contentType: TEXT, body: Buffer.from(message + '\n'), compressible: false };
}
