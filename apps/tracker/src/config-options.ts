/**
 * Every tracker setting in one table: its command-line flags, its opentracker.conf directive and
 * what it does to the draft configuration. Flags and directives share the same code, so `-p` and
 * `listen.tcp`, `-w` and `access.whitelist` cannot drift apart. help.ts documents the same names
 * (a test checks that every name below appears there).
 */
import type { AccessMode } from '../../../libs/accesslist/src/access-policy.js';
import { deepFreeze } from '../../../libs/common/src/config/deep-freeze.js';
import type { FlagDef } from '../../../libs/common/src/config/flag-reader.js';
import { parseIntIn, parseLogLevel, parsePath, parsePort, parseUrl } from '../../../libs/common/src/config/value-parsers.js';
import type { LogLevel } from '../../../libs/common/src/log.js';
import { parseBindHost, parseCidrText, parseListenAddress, parseStatsPath, parseUserName, type ListenAddress } from './config-values.js';
import { parseStorePrefix, parseStoreSpec, type StoreSpec } from './store-url.js';

export type { AccessMode };

export type NumberKey =
  | 'intervalSeconds'
  | 'intervalJitterSeconds'
  | 'peerTimeoutSeconds'
  | 'numwantDefault'
  | 'numwantMax'
  | 'scrapeMax'
  | 'flushIntervalSeconds'
  | 'completionWindowSeconds'
  | 'journalKeep'
  | 'completionsPerAddress'
  | 'maxCompleters'
  | 'maxTorrents'
  | 'torrentIdleTimeoutSeconds'
  | 'maxPeersPerTorrent'
  | 'maxConnections'
  | 'maxConnectionsPerIp'
  | 'maxConnectionAgeSeconds';

export interface NumberSetting {
  readonly min: number;
  readonly max: number;
  readonly dflt: number;
  /** How errors and --help name it. */
  readonly label: string;
}

export const NUMBER_SETTINGS: Readonly<Record<NumberKey, NumberSetting>> = {
  intervalSeconds: { min: 60, max: 86400, dflt: 1800, label: '--interval / tracker.interval' },
  intervalJitterSeconds: { min: 0, max: 86399, dflt: 180, label: '--interval-jitter / tracker.interval_jitter' },
  peerTimeoutSeconds: { min: 61, max: 604800, dflt: 2700, label: '--peer-timeout / tracker.peer_timeout' },
  numwantDefault: { min: 0, max: 1000, dflt: 50, label: '--numwant-default / tracker.numwant_default' },
  numwantMax: { min: 1, max: 1000, dflt: 200, label: '--numwant-max / tracker.numwant_max' },
  scrapeMax: { min: 1, max: 1000, dflt: 64, label: '--scrape-max / tracker.scrape_max' },
  flushIntervalSeconds: { min: 1, max: 3600, dflt: 5, label: '--flush-interval / tracker.flush_interval' },
  completionWindowSeconds: { min: 1, max: 31536000, dflt: 86400, label: '--completion-window / tracker.completion_window' },
  // download counts and memory caps (README "Download counts"; defaults sized for a 128 MB VPS)
  journalKeep: { min: 100, max: 1_000_000, dflt: 100_000, label: '--journal-keep / tracker.journal_keep' },
  completionsPerAddress: { min: 1, max: 15, dflt: 5, label: '--completions-per-address / tracker.completions_per_address' },
  maxCompleters: { min: 1000, max: 100_000_000, dflt: 524_288, label: '--max-completers / tracker.max_completers' },
  maxTorrents: { min: 1, max: 100_000_000, dflt: 50_000, label: '--max-torrents / tracker.max_torrents' },
  torrentIdleTimeoutSeconds: { min: 60, max: 315360000, dflt: 86400, label: '--torrent-idle-timeout / tracker.torrent_idle_timeout' },
  maxPeersPerTorrent: { min: 1, max: 100_000_000, dflt: 100_000, label: '--max-peers-per-torrent / tracker.max_peers_per_torrent' },
  // an idle connection costs about 4 KiB and a busy one up to ~90 KiB (a read plus the output cap): these
  // defaults keep HTTP connections well inside a 128 MB VPS
  maxConnections: { min: 1, max: 1_000_000, dflt: 1024, label: '--max-connections / tracker.max_connections' },
  maxConnectionsPerIp: { min: 1, max: 1_000_000, dflt: 32, label: '--max-connections-per-ip / tracker.max_connections_per_ip' },
  maxConnectionAgeSeconds: { min: 10, max: 604800, dflt: 300, label: '--max-connection-age / tracker.max_connection_age' },
};

/** Every default of the tracker in one place: the numbers above, and what has no flag of its own. */
export const DEFAULTS = deepFreeze({
  ...(Object.fromEntries(Object.entries(NUMBER_SETTINGS).map(([k, s]) => [k, s.dflt])) as Record<NumberKey, number>),
  /** opentracker's port when a listen.* line names none. */
  listenPort: 6969,
  /** Loopback, so the suite's own stats app can read /stats out of the box. */
  statsCidrs: ['127.0.0.0/8', '::1/128'] as readonly string[],
  statsPath: 'stats',
  storePrefix: 'rts:',
  logLevel: 'info' as LogLevel,
  maxUrlBytes: 8192,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 30_000,
});

/** Upper bound for -A / access.stats / access.proxy entries (opentracker silently stops at 64). */
export const MAX_CIDRS = 1024;

/** The configuration as it is being assembled, left to right. Paths are kept raw until the end. */
export interface Draft {
  /** Address for the following -p / -P, and for the default bind. */
  ip: string;
  tcp: ListenAddress[];
  udp: ListenAddress[];
  access: { mode: AccessMode; path: string | null; where: string } | null;
  statsCidrs: string[] | null;
  proxyCidrs: string[];
  statsPath: string;
  redirectUrl: string | null;
  user: string | null;
  rootDir: string | null;
  stateFile: string | null;
  /** null: next to the state file. */
  journalFile: string | null;
  /** undefined: suite default; null: disabled with `none`. */
  pidFile: string | null | undefined;
  numbers: Partial<Record<NumberKey, { value: number; where: string }>>;
  logLevel: LogLevel;
  notes: string[];
  /** undefined: TRACKER_STORE or memory. */
  store?: StoreSpec;
  storePrefix?: string;
  storePasswordFile?: string;
}

export interface OptionDef extends FlagDef {
  readonly directive?: string;
  /** Throws an Error describing the value's problem; the caller adds where it came from. */
  apply(draft: Draft, value: string, where: string): void;
}

function addBind(list: ListenAddress[], bind: ListenAddress, proto: string): void {
  if (bind.port !== 0 && list.some((b) => b.host === bind.host && b.port === bind.port)) {
    const h = bind.host.includes(':') ? `[${bind.host}]` : bind.host;
    throw new Error(`${proto} ${h}:${bind.port} is already listed`);
  }
  list.push(bind);
}

function addCidr(list: string[], value: string): void {
  if (list.length >= MAX_CIDRS) throw new Error(`more than ${MAX_CIDRS} entries`);
  const text = parseCidrText(value);
  if (!list.includes(text)) list.push(text);
}

function setAccess(draft: Draft, mode: AccessMode, path: string | null, where: string): void {
  if (draft.access !== null && draft.access.mode !== mode) {
    throw new Error(`${mode} mode conflicts with ${draft.access.mode} mode set by ${draft.access.where}; use only one of -w, -b, --open`);
  }
  draft.access = { mode, path, where };
}

function numberOption(key: NumberKey, flag: string, directive: string): OptionDef {
  const s = NUMBER_SETTINGS[key];
  return {
    flags: [flag],
    directive,
    takesValue: true,
    apply: (d, v, where) => {
      d.numbers[key] = { value: parseIntIn(v, s.min, s.max), where };
    },
  };
}

export const OPTIONS: readonly OptionDef[] = [
  // opentracker's own flags and directives. -f, -h and -v are handled by config.ts.
  {
    flags: ['-i'],
    takesValue: true,
    apply: (d, v) => {
      d.ip = parseBindHost(v);
    },
  },
  { flags: ['-p'], takesValue: true, apply: (d, v) => addBind(d.tcp, { host: d.ip, port: parsePort(v) }, 'tcp') },
  { flags: ['-P'], takesValue: true, apply: (d, v) => addBind(d.udp, { host: d.ip, port: parsePort(v) }, 'udp') },
  {
    flags: [],
    directive: 'listen.tcp_udp',
    takesValue: true,
    apply: (d, v) => {
      const bind = parseListenAddress(v, DEFAULTS.listenPort);
      addBind(d.tcp, bind, 'tcp');
      addBind(d.udp, bind, 'udp');
    },
  },
  {
    flags: [],
    directive: 'listen.tcp',
    takesValue: true,
    apply: (d, v) => addBind(d.tcp, parseListenAddress(v, DEFAULTS.listenPort), 'tcp'),
  },
  {
    flags: [],
    directive: 'listen.udp',
    takesValue: true,
    apply: (d, v) => addBind(d.udp, parseListenAddress(v, DEFAULTS.listenPort), 'udp'),
  },
  {
    flags: [],
    directive: 'listen.udp.workers',
    takesValue: true,
    apply: (d, v, where) => {
      parseIntIn(v, 0, 1024);
      d.notes.push(`${where}: listen.udp.workers is accepted for opentracker compatibility and ignored (UDP is served on the event loop)`);
    },
  },
  { flags: ['-A'], directive: 'access.stats', takesValue: true, apply: (d, v) => addCidr((d.statsCidrs ??= []), v) },
  { flags: ['--proxy'], directive: 'access.proxy', takesValue: true, apply: (d, v) => addCidr(d.proxyCidrs, v) },
  {
    flags: ['--stats-path'],
    directive: 'access.stats_path',
    takesValue: true,
    apply: (d, v) => {
      d.statsPath = parseStatsPath(v);
    },
  },
  {
    flags: ['-w'],
    directive: 'access.whitelist',
    takesValue: true,
    apply: (d, v, where) => setAccess(d, 'whitelist', parsePath(v), where),
  },
  {
    flags: ['-b'],
    directive: 'access.blacklist',
    takesValue: true,
    apply: (d, v, where) => setAccess(d, 'blacklist', parsePath(v), where),
  },
  { flags: ['--open'], directive: 'access.open', takesValue: false, apply: (d, _v, where) => setAccess(d, 'open', null, where) },
  {
    flags: ['-r'],
    directive: 'tracker.redirect_url',
    takesValue: true,
    apply: (d, v) => {
      d.redirectUrl = parseUrl(v, ['http:', 'https:'], { noCredentials: true });
    },
  },
  {
    flags: ['-u'],
    directive: 'tracker.user',
    takesValue: true,
    apply: (d, v) => {
      d.user = parseUserName(v);
    },
  },
  {
    flags: ['-d'],
    directive: 'tracker.rootdir',
    takesValue: true,
    apply: (d, v) => {
      d.rootDir = parsePath(v);
    },
  },
  {
    flags: ['-l', '--state-file'],
    directive: 'tracker.state_file',
    takesValue: true,
    apply: (d, v) => {
      d.stateFile = parsePath(v);
    },
  },
  // Our own settings.
  {
    flags: ['--pid-file'],
    directive: 'tracker.pid_file',
    takesValue: true,
    apply: (d, v) => {
      d.pidFile = v === 'none' ? null : parsePath(v);
    },
  },
  numberOption('intervalSeconds', '--interval', 'tracker.interval'),
  numberOption('intervalJitterSeconds', '--interval-jitter', 'tracker.interval_jitter'),
  numberOption('peerTimeoutSeconds', '--peer-timeout', 'tracker.peer_timeout'),
  numberOption('numwantDefault', '--numwant-default', 'tracker.numwant_default'),
  numberOption('numwantMax', '--numwant-max', 'tracker.numwant_max'),
  numberOption('scrapeMax', '--scrape-max', 'tracker.scrape_max'),
  numberOption('flushIntervalSeconds', '--flush-interval', 'tracker.flush_interval'),
  numberOption('completionWindowSeconds', '--completion-window', 'tracker.completion_window'),
  {
    flags: ['--journal-file'],
    directive: 'tracker.journal_file',
    takesValue: true,
    apply: (d, v) => {
      d.journalFile = parsePath(v);
    },
  },
  numberOption('journalKeep', '--journal-keep', 'tracker.journal_keep'),
  numberOption('completionsPerAddress', '--completions-per-address', 'tracker.completions_per_address'),
  numberOption('maxCompleters', '--max-completers', 'tracker.max_completers'),
  numberOption('maxTorrents', '--max-torrents', 'tracker.max_torrents'),
  numberOption('torrentIdleTimeoutSeconds', '--torrent-idle-timeout', 'tracker.torrent_idle_timeout'),
  numberOption('maxPeersPerTorrent', '--max-peers-per-torrent', 'tracker.max_peers_per_torrent'),
  numberOption('maxConnections', '--max-connections', 'tracker.max_connections'),
  numberOption('maxConnectionsPerIp', '--max-connections-per-ip', 'tracker.max_connections_per_ip'),
  numberOption('maxConnectionAgeSeconds', '--max-connection-age', 'tracker.max_connection_age'),
  // shared swarms and counts for several instances (README "More than one machine")
  {
    flags: ['--store'],
    directive: 'tracker.store',
    takesValue: true,
    apply: (d, v) => {
      d.store = parseStoreSpec(v);
    },
  },
  {
    flags: ['--store-prefix'],
    directive: 'tracker.store_prefix',
    takesValue: true,
    apply: (d, v) => {
      d.storePrefix = parseStorePrefix(v);
    },
  },
  {
    flags: ['--store-password-file'],
    directive: 'tracker.store_password_file',
    takesValue: true,
    apply: (d, v) => {
      d.storePasswordFile = parsePath(v);
    },
  },
  {
    flags: ['--log-level'],
    directive: 'tracker.log_level',
    takesValue: true,
    apply: (d, v) => {
      d.logLevel = parseLogLevel(v);
    },
  },
];

/** opentracker features we recognise but do not implement: a clear error instead of "unknown". */
export const UNSUPPORTED: ReadonlyMap<string, string> = new Map([
  ['-s', 'live sync between cluster nodes is not supported'],
  ['livesync.cluster.listen', 'live sync between cluster nodes is not supported'],
  ['livesync.cluster.node_ip', 'live sync between cluster nodes is not supported'],
  ['access.fifo_add', 'dynamic access-list FIFOs are not supported; edit the list file and send SIGHUP'],
  ['access.fifo_delete', 'dynamic access-list FIFOs are not supported; edit the list file and send SIGHUP'],
]);

export const FLAG_INDEX: ReadonlyMap<string, OptionDef> = new Map(OPTIONS.flatMap((o) => o.flags.map((f) => [f, o] as const)));
export const DIRECTIVE_INDEX: ReadonlyMap<string, OptionDef> = new Map(
  OPTIONS.filter((o) => o.directive !== undefined).map((o) => [o.directive as string, o] as const),
);
