import os from 'node:os';
import path from 'node:path';
import { showName, unknownNameMessage } from '../../../libs/common/src/cli-errors.js';
import { LOG_LEVELS, type LogLevel } from '../../../libs/common/src/log.js';
import { suiteSettings, SettingsError } from '../../../libs/common/src/suite-env.js';

export type OnDelete = 'remove' | 'keep';

export interface PublisherConfig {
  readonly releasesDir: string;
  readonly torrentsDir: string;
  readonly manifestPath: string;
  readonly whitelistPath: string;
  readonly trackerPidFile: string;
  /** Run through /bin/sh -c instead of SIGHUP to the pid file's process; null = SIGHUP. */
  readonly reloadCommand: string | null;
  readonly announceHttpUrl: string;
  readonly announceUdpUrl: string;
  /** Ends with '/': BEP 19 clients append the torrent name (and file path) to it. */
  readonly webSeedBaseUrl: string;
  readonly private: boolean;
  readonly onDelete: OnDelete;
  readonly once: boolean;
  readonly dryRun: boolean;
  readonly logLevel: LogLevel;
  /**
   * Quiet period (--quiet-period): how long a release must stay unchanged (no write, no file added or removed)
   * before it is hashed. Well above a second, so a copy that stalls is not published half-written.
   */
  readonly stableMs: number;
  /** Releases published within this window share one tracker reload. */
  readonly signalCoalesceMs: number;
  readonly reloadTimeoutMs: number;
  readonly hashThreads: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type ParsedArgs = { readonly kind: 'help'; readonly text: string } | { readonly kind: 'run'; readonly config: PublisherConfig };

/** Long enough to ride out a stalled copy (network hiccup, slow disk), short enough to publish promptly. */
export const DEFAULT_QUIET_SECONDS = 15;
const MAX_QUIET_SECONDS = 86_400;

export const PUBLISHER_HELP = `Usage: publisher [options]

Watches the releases folder; every file (or top-level folder) dropped there gets a .torrent, a manifest
entry and a whitelist line, and the tracker is told to reload its whitelist.

  --releases DIR          folder to watch                       (RELEASES_DIR, default ./releases)
  --torrents DIR          where .torrent files are written      (DATA_DIR/torrents)
  --manifest FILE         release manifest read by the stats app (DATA_DIR/manifest.json)
  --whitelist FILE        tracker access list                   (WHITELIST, default ./whitelist)
  --pid-file FILE         tracker pid file, gets SIGHUP          (DATA_DIR/tracker.pid)
  --reload-command CMD    run CMD (via /bin/sh -c) instead of sending SIGHUP,
                          e.g. 'systemctl reload opentracker'
  --announce-http URL     HTTP announce URL put in torrents     (ANNOUNCE_HTTP_URL)
  --announce-udp URL      UDP announce URL put in torrents      (ANNOUNCE_UDP_URL)
  --web-seed-base URL     BEP 19 web seed base, ends with /     (STATS_BASE_URL/files/)
  --private               set the private flag in new torrents
  --on-delete remove|keep what a deleted release does to its whitelist line (default remove)
  --quiet-period SECONDS  publish a release only after it has been unchanged this long
                          (default ${DEFAULT_QUIET_SECONDS}; an upload that stalls longer is published early)
  --once                  process the folder once and exit (exit 1 if a release failed)
  --dry-run               hash and log what would be done; write nothing, signal nothing
  --log-level LEVEL       ${LOG_LEVELS.join('|')} (default info)
  --help                  this text
`;

const VALUE_FLAGS = new Set(['--releases', '--torrents', '--manifest', '--whitelist', '--pid-file', '--reload-command',
  '--announce-http', '--announce-udp', '--web-seed-base', '--on-delete', '--log-level', '--quiet-period']);
const BOOL_FLAGS = new Set(['--private', '--once', '--dry-run', '--help']);

function checkUrl(flag: string, value: string, protocols: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${flag}: not a URL: ${JSON.stringify(value)}`);
  }
  if (!protocols.includes(url.protocol)) throw new ConfigError(`${flag}: expected a ${protocols.join(' or ')} URL, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Reads the publisher's configuration: suite defaults from the environment, overridden by flags.
 * Throws ConfigError (the caller exits 2) on an unknown flag, a missing value or a bad value.
 */
export function parsePublisherArgs(argv: readonly string[], env: Record<string, string | undefined>, cwd: string): ParsedArgs {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const raw = argv[i] as string;
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const name = eq > 0 ? raw.slice(0, eq) : raw;
    if (BOOL_FLAGS.has(name)) {
      if (eq > 0) throw new ConfigError(`${name} takes no value`);
      flags.set(name, 'true');
    } else if (VALUE_FLAGS.has(name)) {
      const value = eq > 0 ? raw.slice(eq + 1) : argv[++i];
      if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new ConfigError(`${name} needs a value`);
      flags.set(name, value);
    } else if (!raw.startsWith('-')) {
      throw new ConfigError(`unexpected argument ${showName(raw)} (options start with --)`);
    } else {
      throw new ConfigError(unknownNameMessage(name, [...VALUE_FLAGS, ...BOOL_FLAGS]));
    }
  }
  if (flags.has('--help')) return { kind: 'help', text: PUBLISHER_HELP };

  let suite;
  try {
    suite = suiteSettings(env, cwd);
  } catch (err) {
    if (err instanceof SettingsError) throw new ConfigError(err.message);
    throw err;
  }
  const dir = (flag: string, dflt: string): string => {
    const v = flags.get(flag);
    if (v === '') throw new ConfigError(`${flag} must not be empty`);
    return v === undefined ? dflt : path.resolve(cwd, v);
  };
  const onDelete = flags.get('--on-delete') ?? 'remove';
  if (onDelete !== 'remove' && onDelete !== 'keep') throw new ConfigError(`--on-delete must be remove or keep, got ${JSON.stringify(onDelete)}`);
  const logLevel = flags.get('--log-level') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw new ConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const reloadCommand = flags.get('--reload-command') ?? null;
  if (reloadCommand !== null && reloadCommand.trim() === '') throw new ConfigError('--reload-command must not be empty');
  let webSeedBaseUrl = checkUrl('--web-seed-base', flags.get('--web-seed-base') ?? suite.webSeedBaseUrl, ['http:', 'https:']);
  if (!webSeedBaseUrl.endsWith('/')) webSeedBaseUrl += '/';
  const quietText = flags.get('--quiet-period') ?? String(DEFAULT_QUIET_SECONDS);
  const quietSeconds = /^\d+(\.\d+)?$/.test(quietText) ? Number(quietText) : Number.NaN;
  if (!(quietSeconds >= 0.1 && quietSeconds <= MAX_QUIET_SECONDS)) {
    throw new ConfigError(`--quiet-period must be a number of seconds from 0.1 to ${MAX_QUIET_SECONDS}, got ${JSON.stringify(quietText)}`);
  }
  const releasesDir = dir('--releases', suite.releasesDir);
  const torrentsDir = dir('--torrents', suite.torrentsDir);
  if (path.relative(releasesDir, torrentsDir) === '' ) throw new ConfigError('--torrents must not be the releases folder');

  return {
    kind: 'run',
    config: Object.freeze({
      releasesDir,
      torrentsDir,
      manifestPath: dir('--manifest', suite.manifestPath),
      whitelistPath: dir('--whitelist', suite.whitelistPath),
      trackerPidFile: dir('--pid-file', suite.trackerPidFile),
      reloadCommand,
      announceHttpUrl: checkUrl('--announce-http', flags.get('--announce-http') ?? suite.announceHttpUrl, ['http:', 'https:']),
      announceUdpUrl: checkUrl('--announce-udp', flags.get('--announce-udp') ?? suite.announceUdpUrl, ['udp:']),
      webSeedBaseUrl,
      private: flags.has('--private'),
      onDelete,
      once: flags.has('--once'),
      dryRun: flags.has('--dry-run'),
      logLevel: logLevel as LogLevel,
      stableMs: Math.round(quietSeconds * 1000),
      signalCoalesceMs: 250,
      reloadTimeoutMs: 30_000,
      hashThreads: Math.max(1, Math.min(4, os.availableParallelism())),
    }),
  };
}
