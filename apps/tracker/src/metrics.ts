import { SLAB_BYTES, tableStorage } from '../../../libs/swarm/src/index.js';
import type { CompletionLogStatus, Tracker } from './tracker.js';
import { totals } from './stats-modes.js';

/** One sample: its label set (`''` or `{k="v",...}`) and its value. */
type Sample = readonly [labels: string, value: number];

/** One metric family: the HELP and TYPE lines, then one line per sample. */
interface Family {
  readonly name: string;
  readonly type: 'counter' | 'gauge';
  readonly help: string;
  readonly samples: readonly Sample[];
}

type Counters = Tracker['counters'];
type ClusterStatus = ReturnType<NonNullable<Tracker['cluster']>['status']>;

const samplesOf = (v: number | readonly Sample[]): readonly Sample[] => (typeof v === 'number' ? [['', v]] : v);
const counter = (name: string, help: string, v: number | readonly Sample[]): Family => ({
  name,
  type: 'counter',
  help,
  samples: samplesOf(v),
});
const gauge = (name: string, help: string, v: number | readonly Sample[]): Family => ({ name, type: 'gauge', help, samples: samplesOf(v) });
const byProto = (http: number, udp: number): Sample[] => [
  ['{proto="http"}', http],
  ['{proto="udp"}', udp],
];
const labelled = (m: ReadonlyMap<string, number>, label: (k: string) => string): Sample[] => [...m].map(([k, n]) => [label(k), n]);

/** Prometheus text exposition (version 0.0.4) of the tracker's counters; written by hand, it is a dozen lines. */
export function renderMetrics(tracker: Tracker, nowMs: number, memory: NodeJS.MemoryUsage): string {
  const journal = tracker.completions?.status();
  const cluster = tracker.cluster?.status();
  const families = [
    ...swarmFamilies(tracker),
    ...(journal !== undefined ? journalFamilies(journal) : []),
    ...(cluster !== undefined ? clusterFamilies(cluster) : []),
    ...wireFamilies(tracker.counters),
    ...processFamilies(tracker.counters, nowMs, memory),
  ];
  return families.map(renderFamily).join('');
}

function renderFamily(f: Family): string {
  const lines = [`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`];
  for (const [labels, v] of f.samples) lines.push(`${f.name}${labels} ${v}`);
  return lines.join('\n') + '\n';
}

/** Torrents, peers, announces, scrapes and what the store refused. */
function swarmFamilies(tracker: Tracker): Family[] {
  const c = tracker.counters;
  const t = totals(tracker);
  const r = tracker.store.refusals;
  return [
    gauge('tracker_torrents', 'Torrents in memory.', t.torrents),
    gauge('tracker_peers', 'Peers in memory by kind.', [
      ['{kind="seeder"}', t.seeds],
      ['{kind="leecher"}', t.peers - t.seeds],
    ]),
    counter('tracker_completed_total', 'Completions counted since start.', c.completed),
    counter('tracker_announces_total', 'Announces answered.', byProto(c.tcpAnnounces, c.udpAnnounces)),
    counter('tracker_scrapes_total', 'Scrapes answered.', [
      ...byProto(c.tcpScrapes, c.udpScrapes),
      ['{proto="http",kind="full"}', c.fullScrapes],
    ]),
    counter('tracker_refused_total', 'Announces refused by the access list.', c.refused),
    counter('tracker_torrents_full_total', 'Announces of new torrents refused at the torrent cap (open mode).', c.torrentsFull),
    counter('tracker_completions_not_counted_total', 'Completions not counted, by reason.', [
      ['{reason="duplicate"}', r.duplicate],
      ['{reason="address_limit"}', r.addressLimit],
      ['{reason="dedupe_full"}', r.dedupeFull],
    ]),
    counter('tracker_peers_not_stored_total', 'New peers answered but not stored (torrent at its peer cap).', tracker.store.peersNotStored),
    counter('tracker_state_write_errors_total', 'State file writes that failed.', c.stateWriteErrors),
  ];
}

function journalFamilies(j: CompletionLogStatus): Family[] {
  return [
    gauge('tracker_journal_last_seq', 'Highest completion seq written to the journal.', j.last),
    gauge('tracker_journal_pending', 'Completions counted but not yet written to the journal (disk full?).', j.pending),
    counter('tracker_journal_errors_total', 'Completion journal failures by kind.', [
      ['{kind="write"}', j.writeErrors],
      ['{kind="fsync"}', j.syncErrors],
    ]),
    counter('tracker_journal_dropped_total', 'Completions counted in memory but never journaled (queue full).', j.dropped),
  ];
}

function clusterFamilies(cl: ClusterStatus): Family[] {
  return [
    gauge('tracker_store_connected', "Redis store reachable (1) or degraded to this instance's memory (0).", cl.connected ? 1 : 0),
    gauge('tracker_store_pending_completions', 'Completions counted here that Redis has not acknowledged yet.', cl.pendingCompletions),
    counter('tracker_store_errors_total', 'Failed exchanges with the Redis store.', cl.errors),
    counter('tracker_store_remote_peer_changes_total', 'Peer changes received from other instances.', cl.remotePeerChanges),
  ];
}

/** UDP packets, TCP connections and error replies on both transports. */
function wireFamilies(c: Counters): Family[] {
  return [
    counter('tracker_udp_connects_total', 'UDP connect requests answered.', c.udpConnects),
    counter('tracker_udp_connection_id_mismatches_total', 'UDP requests with a wrong or expired connection id.', c.udpMismatches),
    counter('tracker_udp_dropped_total', 'UDP packets dropped as malformed.', c.udpDropped),
    counter('tracker_http_connections_total', 'TCP connections accepted.', c.tcpAccepts),
    counter('tracker_http_connections_refused_total', 'TCP connections closed at accept by a cap.', [
      ['{cap="total"}', c.tcpRefusedTotal],
      ['{cap="per_address"}', c.tcpRefusedPerAddress],
    ]),
    counter('tracker_http_connections_aged_total', 'Keep-alive connections closed at the maximum connection age.', c.tcpAged),
    counter('tracker_http_read_pauses_total', 'Times a connection was not read until its unsent replies drained.', c.tcpPaused),
    counter(
      'tracker_internal_errors_total',
      'Unexpected errors, each confined to one request, connection or datagram.',
      byProto(c.tcpErrors, c.udpErrors),
    ),
    counter('tracker_udp_replies_unsent_total', 'UDP replies not sent.', [
      ['{reason="bad_destination"}', c.udpUnsendable],
      ['{reason="send_error"}', c.udpSendErrors],
    ]),
    counter(
      'tracker_http_errors_total',
      'HTTP error replies by status.',
      labelled(c.httpErrors, (k) => `{status="${k.slice(0, 3)}"}`),
    ),
    counter(
      'tracker_failures_total',
      'Client errors answered with a failure reason, by code.',
      labelled(c.failures, (k) => `{code="${k}"}`),
    ),
  ];
}

/** The access list, uptime and the process's memory. */
function processFamilies(c: Counters, nowMs: number, memory: NodeJS.MemoryUsage): Family[] {
  return [
    gauge('tracker_accesslist_hashes', 'Hashes on the access list.', c.accessListSize),
    counter('tracker_accesslist_reloads_total', 'Access list loads (start and SIGHUP).', c.accessListReloads),
    gauge('tracker_uptime_seconds', 'Seconds since start.', Math.floor((nowMs - c.startedAt) / 1000)),
    gauge('process_resident_memory_bytes', 'Resident set size.', memory.rss),
    gauge('process_heap_used_bytes', 'V8 heap in use.', memory.heapUsed),
    gauge('tracker_peer_slab_bytes', 'Memory of the slabs holding the larger peer tables, in use and kept empty.', slabBytes()),
  ];
}

function slabBytes(): number {
  const s = tableStorage.stats();
  return (s.slabs + s.emptySlabs) * SLAB_BYTES;
}
