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
import { ConfigError, configErrorAt, parseAt } from '../../../libs/common/src/config/config-error.js';
import type { ConfigInput, ConfigResult } from '../../../libs/common/src/config/config-result.js';
import { deepFreeze } from '../../../libs/common/src/config/deep-freeze.js';
import { readFlags, type FlagDef, type FlagSpec } from '../../../libs/common/src/config/flag-reader.js';
import { logLevelFromEnv } from '../../../libs/common/src/config/log-env.js';
import { readConfigFile } from '../../../libs/common/src/config/read-config-file.js';
import type { LogLevel } from '../../../libs/common/src/log.js';
import { suiteSettings, type SuiteSettings } from '../../../libs/common/src/suite-env.js';
import { PACKAGE_JSON, readPackageVersion } from '../../../libs/common/src/version.js';
import { tokenizeConfigFile } from './config-file.js';
import {
  DEFAULTS,
  DIRECTIVE_INDEX,
  NUMBER_SETTINGS,
  OPTIONS,
  UNSUPPORTED,
  type AccessMode,
  type Draft,
  type NumberKey,
  type OptionDef,
} from './config-options.js';
import { parseBindHost, type ListenAddress } from './config-values.js';
import { helpText, versionText } from './help.js';
import { defaultJournalFile } from './state-file.js';
import { parseStoreSpec, type StoreSpec } from './store-url.js';

export type { AccessMode, ListenAddress };
export { DEFAULTS };

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

/** `-f FILE`: an opentracker.conf read at its position on the command line. */
const CONFIG_FILE_FLAG: FlagDef = { flags: ['-f'], takesValue: true };
const FLAG_SPEC: FlagSpec<OptionDef | FlagDef> = {
  defs: [...OPTIONS.filter((o) => o.flags.length > 0), CONFIG_FILE_FLAG],
  help: ['-h', '--help'],
  version: ['-v', '--version'],
  unsupported: UNSUPPORTED,
};
const KNOWN_DIRECTIVES: readonly string[] = [...DIRECTIVE_INDEX.keys()];

function fail(where: string, problem: string): never {
  throw new ConfigError(`${where}: ${problem}`);
}

function applyOption(def: OptionDef, draft: Draft, value: string, where: string): void {
  try {
    def.apply(draft, value, where);
  } catch (err) {
    throw configErrorAt(where, err);
  }
}

function applyConfigFile(draft: Draft, file: string, input: ConfigInput): void {
  const text = readConfigFile(input, 'option -f', file) ?? '';
  const shown = /[\u0000-\u001f\u007f]/.test(file) ? JSON.stringify(file) : file;
  for (const { line, keyword, value } of tokenizeConfigFile(text)) {
    const where = `${shown} line ${line}`;
    const unsupported = UNSUPPORTED.get(keyword);
    if (unsupported !== undefined) fail(where, `${keyword}: ${unsupported}`);
    const def = DIRECTIVE_INDEX.get(keyword);
    if (def === undefined) fail(where, unknownNameMessage(keyword, KNOWN_DIRECTIVES, 'directive'));
    if (def.takesValue && value === null) fail(where, `directive ${keyword} needs a value`);
    if (!def.takesValue && value !== null) fail(where, `directive ${keyword} takes no value`);
    applyOption(def, draft, value ?? '', `${where} (${keyword})`);
  }
}

function numberValue(draft: Draft, key: NumberKey): number {
  return draft.numbers[key]?.value ?? DEFAULTS[key];
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
    throw new ConfigError(
      `interval jitter ${jitter} (${whereOf(draft, 'intervalJitterSeconds')}) must be less than the interval ${interval} (${whereOf(draft, 'intervalSeconds')})`,
    );
  }
  if (timeout <= interval + jitter) {
    throw new ConfigError(
      `peer timeout ${timeout} (${whereOf(draft, 'peerTimeoutSeconds')}) must be greater than interval + jitter = ${interval + jitter} ` +
        `(${whereOf(draft, 'intervalSeconds')}; ${whereOf(draft, 'intervalJitterSeconds')}), or peers expire between their announces`,
    );
  }
  if (numwant > numwantMax) {
    throw new ConfigError(
      `numwant default ${numwant} (${whereOf(draft, 'numwantDefault')}) must not exceed the numwant maximum ${numwantMax} (${whereOf(draft, 'numwantMax')})`,
    );
  }
}

function finalize(draft: Draft, suite: SuiteSettings, input: ConfigInput): TrackerConfig {
  checkRelations(draft);
  const rootDir = draft.rootDir === null ? null : path.resolve(input.cwd, draft.rootDir);
  const insideRoot = (p: string): string => path.resolve(rootDir ?? input.cwd, p);
  const noBind = draft.tcp.length === 0 && draft.udp.length === 0;
  const defaultBind = { host: draft.ip, port: suite.trackerPort };
  const access = draft.access ?? { mode: 'whitelist' as const, path: suite.whitelistPath };
  const envState = input.env['TRACKER_STATE_FILE'];
  const n = (key: NumberKey): number => numberValue(draft, key);
  const stateFile =
    draft.stateFile !== null ? insideRoot(draft.stateFile) : envState ? path.resolve(input.cwd, envState) : suite.trackerStateFile;
  return deepFreeze({
    tcp: noBind ? [{ ...defaultBind }] : draft.tcp,
    udp: noBind ? [{ ...defaultBind }] : draft.udp,
    accessMode: access.mode,
    accessListPath: access.path === null ? null : insideRoot(access.path),
    statsCidrs: draft.statsCidrs ?? [...DEFAULTS.statsCidrs],
    proxyCidrs: draft.proxyCidrs,
    statsPath: draft.statsPath,
    redirectUrl: draft.redirectUrl,
    user: draft.user,
    rootDir,
    stateFile,
    journalFile: draft.journalFile !== null ? insideRoot(draft.journalFile) : defaultJournalFile(stateFile),
    pidFile: draft.pidFile === undefined ? suite.trackerPidFile : draft.pidFile === null ? null : path.resolve(input.cwd, draft.pidFile),
    intervalSeconds: n('intervalSeconds'),
    intervalJitterSeconds: n('intervalJitterSeconds'),
    peerTimeoutSeconds: n('peerTimeoutSeconds'),
    numwantDefault: n('numwantDefault'),
    numwantMax: n('numwantMax'),
    scrapeMax: n('scrapeMax'),
    flushIntervalSeconds: n('flushIntervalSeconds'),
    completionWindowSeconds: n('completionWindowSeconds'),
    journalKeep: n('journalKeep'),
    completionsPerAddress: n('completionsPerAddress'),
    maxCompleters: n('maxCompleters'),
    maxTorrents: n('maxTorrents'),
    torrentIdleTimeoutSeconds: n('torrentIdleTimeoutSeconds'),
    maxPeersPerTorrent: n('maxPeersPerTorrent'),
    logLevel: draft.logLevel,
    maxUrlBytes: DEFAULTS.maxUrlBytes,
    headersTimeoutMs: DEFAULTS.headersTimeoutMs,
    keepAliveTimeoutMs: DEFAULTS.keepAliveTimeoutMs,
    maxConnections: n('maxConnections'),
    maxConnectionsPerAddress: n('maxConnectionsPerIp'),
    maxConnectionAgeSeconds: n('maxConnectionAgeSeconds'),
    notes: draft.notes,
    store: draft.store ?? storeFromEnv(input.env['TRACKER_STORE']),
    storePrefix: draft.storePrefix ?? DEFAULTS.storePrefix,
    storePasswordFile: draft.storePasswordFile === undefined ? null : path.resolve(input.cwd, draft.storePasswordFile),
  });
}

function storeFromEnv(text: string | undefined): StoreSpec {
  if (text === undefined || text === '') return { kind: 'memory' };
  try {
    return parseStoreSpec(text);
  } catch (err) {
    throw configErrorAt('environment TRACKER_STORE', err);
  }
}

function newDraft(ip: string, logLevel: LogLevel): Draft {
  return {
    ip,
    tcp: [],
    udp: [],
    access: null,
    statsCidrs: null,
    proxyCidrs: [],
    statsPath: DEFAULTS.statsPath,
    redirectUrl: null,
    user: null,
    rootDir: null,
    stateFile: null,
    journalFile: null,
    pidFile: undefined,
    numbers: {},
    logLevel,
    notes: [],
  };
}

/**
 * Parses the tracker's command line (flags processed left to right, `-f` files at their position) on top of
 * the suite's environment. Returns the deep-frozen configuration, or the text of -h/--help or -v/--version.
 * Throws ConfigError for anything unknown or invalid.
 */
export function parseTrackerConfig(argv: readonly string[], input: ConfigInput): ConfigResult<TrackerConfig> {
  const read = readFlags(argv, FLAG_SPEC);
  if (read.kind === 'help') return { kind: 'help', text: helpText() };
  if (read.kind === 'version')
    return { kind: 'version', text: versionText(input.version ?? readPackageVersion(PACKAGE_JSON, input.readFile)) };
  const suite = suiteSettings(input.env, input.cwd);
  const ip = parseAt('environment BIND_HOST', suite.bindHost, parseBindHost);
  const draft = newDraft(ip, logLevelFromEnv(input.env, DEFAULTS.logLevel));
  for (const use of read.uses) {
    if (use.def === CONFIG_FILE_FLAG) applyConfigFile(draft, use.value, input);
    else applyOption(use.def as OptionDef, draft, use.value, use.where);
  }
  return { kind: 'config', config: finalize(draft, suite, input) };
}
