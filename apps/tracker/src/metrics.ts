import type { Tracker } from './tracker.js';
import { totals } from './stats-modes.js';

/** Prometheus text exposition (version 0.0.4) of the tracker's counters; written by hand, it is a dozen lines. */
export function renderMetrics(tracker: Tracker, nowMs: number, memory: NodeJS.MemoryUsage): string {
  const c = tracker.counters;
  const t = totals(tracker);
  const lines: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: Array<[string, number]>): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of samples) lines.push(`${name}${labels} ${v}`);
  };
  metric('tracker_torrents', 'gauge', 'Torrents in memory.', [['', t.torrents]]);
  metric('tracker_peers', 'gauge', 'Peers in memory by kind.', [
    ['{kind="seeder"}', t.seeds],
    ['{kind="leecher"}', t.peers - t.seeds],
  ]);
  metric('tracker_completed_total', 'counter', 'Completions counted since start.', [['', c.completed]]);
  metric('tracker_announces_total', 'counter', 'Announces answered.', [
    ['{proto="http"}', c.tcpAnnounces],
    ['{proto="udp"}', c.udpAnnounces],
  ]);
  metric('tracker_scrapes_total', 'counter', 'Scrapes answered.', [
    ['{proto="http"}', c.tcpScrapes],
    ['{proto="udp"}', c.udpScrapes],
    ['{proto="http",kind="full"}', c.fullScrapes],
  ]);
  metric('tracker_refused_total', 'counter', 'Announces refused by the access list.', [['', c.refused]]);
  metric('tracker_torrents_full_total', 'counter', 'Announces of new torrents refused at the torrent cap (open mode).', [
    ['', c.torrentsFull],
  ]);
  const r = tracker.store.refusals;
  metric('tracker_completions_not_counted_total', 'counter', 'Completions not counted, by reason.', [
    ['{reason="duplicate"}', r.duplicate],
    ['{reason="address_limit"}', r.addressLimit],
    ['{reason="dedupe_full"}', r.dedupeFull],
  ]);
  metric('tracker_peers_not_stored_total', 'counter', 'New peers answered but not stored (torrent at its peer cap).', [
    ['', tracker.store.peersNotStored],
  ]);
  metric('tracker_state_write_errors_total', 'counter', 'State file writes that failed.', [['', c.stateWriteErrors]]);
  const j = tracker.completions?.status();
  if (j !== undefined) {
    metric('tracker_journal_last_seq', 'gauge', 'Highest completion seq written to the journal.', [['', j.last]]);
    metric('tracker_journal_pending', 'gauge', 'Completions counted but not yet written to the journal (disk full?).', [['', j.pending]]);
    metric('tracker_journal_errors_total', 'counter', 'Completion journal failures by kind.', [
      ['{kind="write"}', j.writeErrors],
      ['{kind="fsync"}', j.syncErrors],
    ]);
    metric('tracker_journal_dropped_total', 'counter', 'Completions counted in memory but never journaled (queue full).', [
      ['', j.dropped],
    ]);
  }
  const cl = tracker.cluster?.status();
  if (cl !== undefined) {
    metric('tracker_store_connected', 'gauge', "Redis store reachable (1) or degraded to this instance's memory (0).", [
      ['', cl.connected ? 1 : 0],
    ]);
    metric('tracker_store_pending_completions', 'gauge', 'Completions counted here that Redis has not acknowledged yet.', [
      ['', cl.pendingCompletions],
    ]);
    metric('tracker_store_errors_total', 'counter', 'Failed exchanges with the Redis store.', [['', cl.errors]]);
    metric('tracker_store_remote_peer_changes_total', 'counter', 'Peer changes received from other instances.', [
      ['', cl.remotePeerChanges],
    ]);
  }
  metric('tracker_udp_connects_total', 'counter', 'UDP connect requests answered.', [['', c.udpConnects]]);
  metric('tracker_udp_connection_id_mismatches_total', 'counter', 'UDP requests with a wrong or expired connection id.', [
    ['', c.udpMismatches],
  ]);
  metric('tracker_udp_dropped_total', 'counter', 'UDP packets dropped as malformed.', [['', c.udpDropped]]);
  metric('tracker_http_connections_total', 'counter', 'TCP connections accepted.', [['', c.tcpAccepts]]);
  metric('tracker_http_connections_refused_total', 'counter', 'TCP connections closed at accept by a cap.', [
    ['{cap="total"}', c.tcpRefusedTotal],
    ['{cap="per_address"}', c.tcpRefusedPerAddress],
  ]);
  metric('tracker_http_connections_aged_total', 'counter', 'Keep-alive connections closed at the maximum connection age.', [
    ['', c.tcpAged],
  ]);
  metric('tracker_http_read_pauses_total', 'counter', 'Times a connection was not read until its unsent replies drained.', [
    ['', c.tcpPaused],
  ]);
  metric('tracker_internal_errors_total', 'counter', 'Unexpected errors, each confined to one request, connection or datagram.', [
    ['{proto="http"}', c.tcpErrors],
    ['{proto="udp"}', c.udpErrors],
  ]);
  metric('tracker_udp_replies_unsent_total', 'counter', 'UDP replies not sent.', [
    ['{reason="bad_destination"}', c.udpUnsendable],
    ['{reason="send_error"}', c.udpSendErrors],
  ]);
  metric(
    'tracker_http_errors_total',
    'counter',
    'HTTP error replies by status.',
    [...c.httpErrors].map(([k, n]) => [`{status="${k.slice(0, 3)}"}`, n] as [string, number]),
  );
  metric(
    'tracker_failures_total',
    'counter',
    'Client errors answered with a failure reason, by code.',
    [...c.failures].map(([k, n]) => [`{code="${k}"}`, n] as [string, number]),
  );
  metric('tracker_accesslist_hashes', 'gauge', 'Hashes on the access list.', [['', c.accessListSize]]);
  metric('tracker_accesslist_reloads_total', 'counter', 'Access list loads (start and SIGHUP).', [['', c.accessListReloads]]);
  metric('tracker_uptime_seconds', 'gauge', 'Seconds since start.', [['', Math.floor((nowMs - c.startedAt) / 1000)]]);
  metric('process_resident_memory_bytes', 'gauge', 'Resident set size.', [['', memory.rss]]);
  metric('process_heap_used_bytes', 'gauge', 'V8 heap in use.', [['', memory.heapUsed]]);
  return lines.join('\n') + '\n';
}
