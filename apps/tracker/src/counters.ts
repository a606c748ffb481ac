/**
 * Every counter /stats and /metrics report, in one place (opentracker's stats_issue_event funnel).
 * Plain integers on one thread: no races, unlike opentracker's unguarded ++ from several threads.
 */
export const HTTP_ERROR_KINDS = [
  '302 Redirect',
  '400 Invalid Request',
  '403 Access Denied',
  '404 Not Found',
  '405 Method Not Allowed',
  '413 Payload Too Large',
  '414 URI Too Long',
  '431 Request Header Fields Too Large',
  '500 Internal Server Error',
] as const;
export type HttpErrorKind = (typeof HTTP_ERROR_KINDS)[number];

export class Counters {
  readonly startedAt: number;
  tcpAccepts = 0;
  tcpRequests = 0;
  tcpAnnounces = 0;
  tcpScrapes = 0;
  fullScrapes = 0;
  fullScrapeBytes = 0;
  udpPackets = 0;
  udpConnects = 0;
  udpAnnounces = 0;
  udpScrapes = 0;
  udpMismatches = 0;
  udpDropped = 0;
  udpErrors = 0;
  /** UDP replies not sent: the sender's address cannot be answered (source port 0, bad address). */
  udpUnsendable = 0;
  /** UDP replies the socket failed to send (thrown or reported to the send callback). */
  udpSendErrors = 0;
  /** TCP connections closed at accept: the total cap was reached. */
  tcpRefusedTotal = 0;
  /** TCP connections closed at accept: the per-address cap was reached. */
  tcpRefusedPerAddress = 0;
  /** Keep-alive connections closed because they reached the maximum connection age. */
  tcpAged = 0;
  /** Times a connection stopped being read because its unsent replies reached the cap. */
  tcpPaused = 0;
  /** Unexpected errors in the HTTP layer, each confined to its request or connection. */
  tcpErrors = 0;
  /** Completions counted since start (opentracker's mode=completed). */
  completed = 0;
  /** Announces refused because of the access list. */
  refused = 0;
  /** State file writes that failed (full disk, permissions); the last success, ms since the epoch. */
  stateWriteErrors = 0;
  stateWrittenAt = 0;
  /** Announces of new torrents refused because open mode holds its cap of torrents. */
  torrentsFull = 0;
  /** Client errors answered with a failure reason, by code. */
  readonly failures = new Map<string, number>();
  readonly httpErrors = new Map<HttpErrorKind, number>(HTTP_ERROR_KINDS.map((k) => [k, 0]));
  /** renew[m]: re-announces that came m minutes after the peer's previous one (0..44). */
  readonly renew = new Array<number>(45).fill(0);
  accessListSize = 0;
  accessListReloads = 0;
  accessListLoadedAt = 0;

  constructor(now: number) {
    this.startedAt = now;
  }

  failure(code: string): void {
    this.failures.set(code, (this.failures.get(code) ?? 0) + 1);
  }

  httpError(kind: HttpErrorKind): void {
    this.httpErrors.set(kind, (this.httpErrors.get(kind) ?? 0) + 1);
  }

  renewed(ageMinutes: number): void {
    if (ageMinutes >= 0 && ageMinutes < 45) this.renew[ageMinutes]!++;
  }
}

/** What the HTTP wire and its framer count: connections, requests, transport-level errors. */
export type WireCounters = Pick<
  Counters,
  'tcpAccepts' | 'tcpRequests' | 'tcpRefusedTotal' | 'tcpRefusedPerAddress' | 'tcpAged' | 'tcpPaused' | 'tcpErrors' | 'httpError'
>;

/** What the BEP 15 handler counts (announces go through the announce exchange). */
export type UdpCounters = Pick<
  Counters,
  'udpPackets' | 'udpConnects' | 'udpScrapes' | 'udpMismatches' | 'udpDropped' | 'udpErrors' | 'udpUnsendable' | 'udpSendErrors' | 'failure'
>;

/** What one announce counts, whichever transport carried it. */
export type AnnounceCounters = Pick<Counters, 'tcpAnnounces' | 'udpAnnounces' | 'failure'>;
