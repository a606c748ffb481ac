/**
 * Tracker configuration: opentracker's flags and opentracker.conf directives plus our own
 * settings, read once, validated and frozen. See help.ts for the user-facing description.
 *
 * Decisions that differ from opentracker (all documented in --help):
 * - unknown flags, unknown directives and bad values are fatal ConfigErrors naming the flag or line;
 * - with none of -w/-b/--open the tracker is closed on the suite's whitelist (./whitelist);
 * - with no -A/access.stats, /stats is open to loopback (127.0.0.0/8, ::1) instead of nobody;
 * - -d only chdirs (Node has no chroot). All paths come out absolute: relative access-list and
 *   state-file paths resolve inside the root dir when one is set (wherever -d appears, as
 *   opentracker reads them after chdir), everything else against the working directory;
 * - -A grants /stats only; X-Forwarded-For is trusted only from access.proxy / --proxy entries.
 */
import path from 'node:path';
import { unknownNameMessage } from '../../../libs/common/src/cli-errors.js';
import type { LogLevel } from '../../../libs/common/src/log.js';
import { suiteSettings, type SuiteSettings } from '../../../libs/common/src/suite-env.js';
import { tokenizeConfigFile } from './config-file.js';
import {
  DIRECTIVE_INDEX, FLAG_INDEX, NUMBER_SETTINGS, UNSUPPORTED,
  type AccessMode, type Draft, type NumberKey, type OptionDef,
} from './config-options.js';
import { parseBindHost, quote, type ListenAddress } from './config-values.js';
import { helpText, versionText } from './help.js';
import { PACKAGE_JSON, readPackageVersion } from '../../../libs/common/src/version.js';
import { defaultJournalFile } from './state-file.js';
import { parseStoreSpec, type StoreSpec } from './store-url.js';

export type { AccessMode, ListenAddress };

export interface TrackerConfig {
  readonly tcp: readonly ListenAddress[];
  readonly udp: readonly ListenAddress[];
  readonly accessMode: AccessMode;
  /** Absolute; null in open mode. */
  readonly accessListPath: string | null;
  /** Canonical CIDR texts (`127.0.0.0/8`), ready for `parseCidr`. */
  readonly statsCidrs: readonly string[];
  readonly proxyCidrs: readonly string[];
  /** Without leading slash; default 'stats'. */
  readonly statsPath: string;
  readonly redirectUrl: string | null;
  readonly user: string | null;
  /** Absolute; the process should chdir here after binding (there is no chroot). */
  readonly rootDir: string | null;
  readonly stateFile: string;
  /** Completion journal (absolute): next to the state file unless --journal-file. */
  readonly journalFile: string;
  readonly pidFile: string | null;
  readonly intervalSeconds: number;
  readonly intervalJitterSeconds: number;
  readonly peerTimeoutSeconds: number;
  readonly numwantDefault: number;
  readonly numwantMax: number;
  readonly scrapeMax: number;
  readonly udpScrapeMax: number;
  readonly flushIntervalSeconds: number;
  readonly completionWindowSeconds: number;
  /** Completions the feed keeps (in memory and in the journal file). */
  readonly journalKeep: number;
  readonly completionsPerAddress: number;
  /** Entries remembered over all torrents for the completion limits (two per counted download in the window). */
  readonly maxCompleters: number;
  /** Open and blacklist mode: most torrents held, and how long one with only a download count is kept idle. */
  readonly maxTorrents: number;
  readonly torrentIdleTimeoutSeconds: number;
  readonly maxPeersPerTorrent: number;
  readonly logLevel: LogLevel;
  readonly maxUrlBytes: number;
  readonly headersTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  /** HTTP connection caps: in total, per address (IPv6 per /64), and the age at which one is closed. */
  readonly maxConnections: number;
  readonly maxConnectionsPerAddress: number;
  readonly maxConnectionAgeSeconds: number;
  /** `memory` (one process) or a Redis shared by several instances. */
  readonly store: StoreSpec;
  /** Prefix of every Redis key and channel, so several sites can share one Redis. */
  readonly storePrefix: string;
  /** Absolute; read at start (the password never sits in the config or the logs). */
  readonly storePasswordFile: string | null;
  /** Things worth one info log line at startup (accepted-but-ignored directives). */
  readonly notes: readonly string[];
}

export interface ConfigDeps {
  readFile(path: string): string;
  cwd: string;
  env: Record<string, string | undefined>;
  /** Shown by --version; read from the suite's package.json when omitted. */
  version?: string;
}

/** What --help and --version produce: text for stdout, then exit 0. */
export interface HelpResult {
  readonly help: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Loopback, so the suite's own stats app can read /stats out of the box. */
export const DEFAULT_STATS_CIDRS: readonly string[] = ['127.0.0.0/8', '::1/128'];

/** 74 x 20-byte hashes is what fits a BEP 15 scrape request in a conventional 1500-byte datagram. */
const UDP_SCRAPE_MAX = 74;

function fail(where: string, err: unknown): never {
  throw new ConfigError(`${where}: ${err instanceof Error ? err.message : String(err)}`);
}

function splitArg(arg: string): { name: string; inline: string | undefined } {
  if (arg.startsWith('--')) {
    const eq = arg.indexOf('=');
    return eq < 0 ? { name: arg, inline: undefined } : { name: arg.slice(0, eq), inline: arg.slice(eq + 1) };
  }
  return { name: arg.slice(0, 2), inline: arg.length > 2 ? arg.slice(2) : undefined };
}

const HELP_FLAGS = new Set(['-h', '--help']);
const VERSION_FLAGS = new Set(['-v', '--version']);
/** What "did you mean" picks from. */
const KNOWN_FLAGS: readonly string[] = [...FLAG_INDEX.keys(), '-f', ...HELP_FLAGS, ...VERSION_FLAGS];
const KNOWN_DIRECTIVES: readonly string[] = [...DIRECTIVE_INDEX.keys()];
const TAKES_VALUE = (name: string): boolean => name === '-f' || FLAG_INDEX.get(name)?.takesValue === true;

/** -h / -v win wherever they appear, even after a bad value, as a user asking for help expects. */
function findInfoRequest(argv: readonly string[]): 'help' | 'version' | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') break;
    if (HELP_FLAGS.has(arg)) return 'help';
    if (VERSION_FLAGS.has(arg)) return 'version';
    if (TAKES_VALUE(arg)) i++;
  }
  return null;
}

function readVersion(deps: ConfigDeps): string {
  return deps.version ?? readPackageVersion(PACKAGE_JSON, deps.readFile);
}

function applyOption(def: OptionDef, draft: Draft, value: string, where: string): void {
  try {
    def.apply(draft, value, where);
  } catch (err) {
    fail(where, err);
  }
}

function applyConfigFile(draft: Draft, file: string, deps: ConfigDeps): void {
  let text: string;
  try {
    text = deps.readFile(path.resolve(deps.cwd, file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    fail('option -f', new Error(`cannot read config file ${quote(file)}: ${code ?? (err as Error).message}`));
  }
  const shown = /[\u0000-\u001f\u007f]/.test(file) ? JSON.stringify(file) : file;
  for (const { line, keyword, value } of tokenizeConfigFile(text)) {
    const where = `${shown} line ${line}`;
    const unsupported = UNSUPPORTED.get(keyword);
    if (unsupported !== undefined) fail(where, new Error(`${keyword}: ${unsupported}`));
    const def = DIRECTIVE_INDEX.get(keyword);
    if (def === undefined) fail(where, new Error(unknownNameMessage(keyword, KNOWN_DIRECTIVES, 'directive')));
    if (def.takesValue && value === null) fail(where, new Error(`directive ${keyword} needs a value`));
    if (!def.takesValue && value !== null) fail(where, new Error(`directive ${keyword} takes no value`));
    applyOption(def, draft, value ?? '', `${where} (${keyword})`);
  }
}

function applyArgv(draft: Draft, argv: readonly string[], deps: ConfigDeps): void {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      if (i + 1 < argv.length) fail('command line', new Error(`unexpected argument ${quote(argv[i + 1] as string)}`));
      return;
    }
    if (!arg.startsWith('-') || arg === '-') fail('command line', new Error(`unexpected argument ${quote(arg)} (options start with '-')`));
    const { name, inline } = splitArg(arg);
    const unsupported = UNSUPPORTED.get(name);
    if (unsupported !== undefined) fail(`option ${name}`, new Error(unsupported));
    const def = FLAG_INDEX.get(name);
    if (name !== '-f' && def === undefined) throw new ConfigError(unknownNameMessage(name.startsWith('--') ? name : arg, KNOWN_FLAGS));
    if (def !== undefined && !def.takesValue) {
      if (inline !== undefined) {
        if (name.startsWith('--')) fail('command line', new Error(`option ${name} takes no value`));
        throw new ConfigError(unknownNameMessage(arg, KNOWN_FLAGS));
      }
      applyOption(def, draft, '', `option ${name}`);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) fail(`option ${name}`, new Error('needs a value'));
      // `-w --open` is a forgotten value, not a file called "--open".
      if (value.startsWith('-') && (FLAG_INDEX.has(splitArg(value).name) || HELP_FLAGS.has(value) || value === '-f')) {
        fail(`option ${name}`, new Error(`needs a value (got option ${quote(value)})`));
      }
    }
    if (value === '') fail(`option ${name}`, new Error('needs a non-empty value'));
    if (name === '-f') applyConfigFile(draft, value, deps);
    else applyOption(def as OptionDef, draft, value, `option ${name}`);
  }
}

function numberValue(draft: Draft, key: NumberKey): number {
  return draft.numbers[key]?.value ?? NUMBER_SETTINGS[key].dflt;
}

function whereOf(draft: Draft, key: NumberKey): string {
  return draft.numbers[key]?.where ?? `default of ${NUMBER_SETTINGS[key].label}`;
}

function checkRelations(draft: Draft): void {
  const interval = numberValue(draft, 'intervalSeconds');
  const jitter = numberValue(draft, 'intervalJitterSeconds');
  const timeout = numberValue(draft, 'peerTimeoutSeconds');
  const numwant = numberValue(draft, 'numwantDefault');
  const numwantMax = numberValue(draft, 'numwantMax');
  if (jitter >= interval) {
    throw new ConfigError(`interval jitter ${jitter} (${whereOf(draft, 'intervalJitterSeconds')}) must be less than the interval ${interval} (${whereOf(draft, 'intervalSeconds')})`);
  }
  if (timeout <= interval + jitter) {
    throw new ConfigError(
      `peer timeout ${timeout} (${whereOf(draft, 'peerTimeoutSeconds')}) must be greater than interval + jitter = ${interval + jitter} ` +
        `(${whereOf(draft, 'intervalSeconds')}; ${whereOf(draft, 'intervalJitterSeconds')}), or peers expire between their announces`,
    );
  }
  if (numwant > numwantMax) {
    throw new ConfigError(`numwant default ${numwant} (${whereOf(draft, 'numwantDefault')}) must not exceed the numwant maximum ${numwantMax} (${whereOf(draft, 'numwantMax')})`);
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

function finalize(draft: Draft, suite: SuiteSettings, deps: ConfigDeps): TrackerConfig {
  checkRelations(draft);
  const rootDir = draft.rootDir === null ? null : path.resolve(deps.cwd, draft.rootDir);
  const insideRoot = (p: string): string => path.resolve(rootDir ?? deps.cwd, p);
  const noBind = draft.tcp.length === 0 && draft.udp.length === 0;
  const defaultBind = { host: draft.ip, port: suite.trackerPort };
  const access = draft.access ?? { mode: 'whitelist' as const, path: suite.whitelistPath };
  const envState = deps.env['TRACKER_STATE_FILE'];
  const n = (key: NumberKey): number => numberValue(draft, key);
  const stateFile = draft.stateFile !== null ? insideRoot(draft.stateFile) : envState ? path.resolve(deps.cwd, envState) : suite.trackerStateFile;
  return deepFreeze({
    tcp: noBind ? [{ ...defaultBind }] : draft.tcp,
    udp: noBind ? [{ ...defaultBind }] : draft.udp,
    accessMode: access.mode,
    accessListPath: access.path === null ? null : insideRoot(access.path),
    statsCidrs: draft.statsCidrs ?? [...DEFAULT_STATS_CIDRS],
    proxyCidrs: draft.proxyCidrs,
    statsPath: draft.statsPath,
    redirectUrl: draft.redirectUrl,
    user: draft.user,
    rootDir,
    stateFile,
    journalFile: draft.journalFile !== null ? insideRoot(draft.journalFile) : defaultJournalFile(stateFile),
    pidFile: draft.pidFile === undefined ? suite.trackerPidFile : draft.pidFile === null ? null : path.resolve(deps.cwd, draft.pidFile),
    intervalSeconds: n('intervalSeconds'),
    intervalJitterSeconds: n('intervalJitterSeconds'),
    peerTimeoutSeconds: n('peerTimeoutSeconds'),
    numwantDefault: n('numwantDefault'),
    numwantMax: n('numwantMax'),
    scrapeMax: n('scrapeMax'),
    udpScrapeMax: UDP_SCRAPE_MAX,
    flushIntervalSeconds: n('flushIntervalSeconds'),
    completionWindowSeconds: n('completionWindowSeconds'),
    journalKeep: n('journalKeep'),
    completionsPerAddress: n('completionsPerAddress'),
    maxCompleters: n('maxCompleters'),
    maxTorrents: n('maxTorrents'),
    torrentIdleTimeoutSeconds: n('torrentIdleTimeoutSeconds'),
    maxPeersPerTorrent: n('maxPeersPerTorrent'),
    logLevel: draft.logLevel,
    maxUrlBytes: 8192,
    headersTimeoutMs: 10_000,
    keepAliveTimeoutMs: 30_000,
    maxConnections: n('maxConnections'),
    maxConnectionsPerAddress: n('maxConnectionsPerIp'),
    maxConnectionAgeSeconds: n('maxConnectionAgeSeconds'),
    notes: draft.notes,
    store: draft.store ?? storeFromEnv(deps.env['TRACKER_STORE']),
    storePrefix: draft.storePrefix ?? 'rts:',
    storePasswordFile: draft.storePasswordFile === undefined ? null : path.resolve(deps.cwd, draft.storePasswordFile),
  });
}

function storeFromEnv(text: string | undefined): StoreSpec {
  if (text === undefined || text === '') return { kind: 'memory' };
  try {
    return parseStoreSpec(text);
  } catch (err) {
    throw new ConfigError(`environment TRACKER_STORE: ${(err as Error).message}`);
  }
}

/**
 * Parses the tracker's command line (flags processed left to right, `-f` files at their
 * position). Returns the frozen configuration, or `{ help }` for -h/--help and -v/--version
 * (print it to stdout and exit 0). Throws ConfigError for anything unknown or invalid.
 */
export function parseTrackerConfig(argv: readonly string[], deps: ConfigDeps): TrackerConfig | HelpResult {
  const info = findInfoRequest(argv);
  if (info === 'help') return { help: helpText() };
  if (info === 'version') return { help: versionText(readVersion(deps)) };
  let suite: SuiteSettings;
  try {
    suite = suiteSettings(deps.env, deps.cwd);
  } catch (err) {
    fail('environment', err);
  }
  let ip: string;
  try {
    ip = parseBindHost(suite.bindHost);
  } catch (err) {
    fail('environment BIND_HOST', err);
  }
  const draft: Draft = {
    ip,
    tcp: [],
    udp: [],
    access: null,
    statsCidrs: null,
    proxyCidrs: [],
    statsPath: 'stats',
    redirectUrl: null,
    user: null,
    rootDir: null,
    stateFile: null,
    journalFile: null,
    pidFile: undefined,
    numbers: {},
    logLevel: 'info',
    notes: [],
  };
  applyArgv(draft, argv, deps);
  return finalize(draft, suite, deps);
}
