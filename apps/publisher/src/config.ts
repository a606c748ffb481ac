import path from 'node:path';
import { ConfigError } from '../../../libs/common/src/config/config-error.js';
import type { ConfigInput, ConfigResult } from '../../../libs/common/src/config/config-result.js';
import { deepFreeze } from '../../../libs/common/src/config/deep-freeze.js';
import { FlagValues, longFlags, readFlags } from '../../../libs/common/src/config/flag-reader.js';
import { logLevelFromEnv } from '../../../libs/common/src/config/log-env.js';
import {
  parseChoice,
  parseDuration,
  parseLogLevel,
  parsePath,
  parseText,
  parseUrl,
} from '../../../libs/common/src/config/value-parsers.js';
import { LOG_LEVELS, type LogLevel } from '../../../libs/common/src/log.js';
import { suiteSettings } from '../../../libs/common/src/suite-env.js';

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
  /**
   * A new release is listed in the manifest once the tracker accepts its hash, or after this long without
   * that confirmation (a tracker that is down or cannot be asked must not hold releases back forever).
   */
  readonly confirmTimeoutMs: number;
  readonly hashThreads: number;
}

export interface PublisherInput extends ConfigInput {
  /** CPUs this process may use (os.availableParallelism()); hashing uses up to DEFAULTS.maxHashThreads of them. */
  readonly cpus?: number;
}

/** The publisher's defaults; paths and URLs come from the suite's environment (suite-env.ts). */
export const DEFAULTS = deepFreeze({
  onDelete: 'remove' as OnDelete,
  /** Long enough to ride out a stalled copy (network hiccup, slow disk), short enough to publish promptly. */
  quietSeconds: 15,
  logLevel: 'info' as LogLevel,
  signalCoalesceMs: 250,
  reloadTimeoutMs: 30_000,
  /** Our tracker reloads in milliseconds; ten seconds covers a busy host without hiding a release for long. */
  confirmTimeoutMs: 10_000,
  /** Each hashing thread costs ~10-15 MB; more than four rarely helps a disk keep up. */
  maxHashThreads: 4,
});
const QUIET_SECONDS = { min: 0.1, max: 86_400 };
const MAX_COMMAND = 4096;
const HTTP = ['http:', 'https:'];

export const PUBLISHER_HELP = `Usage: publisher [options]

Watches the releases folder; every file (or top-level folder) dropped there gets a .torrent and a whitelist
line, the tracker is told to reload its whitelist, and once it accepts the hash (after a SIGHUP a scrape of the
signalled tracker says so; a reload command's exit does; at most ${DEFAULTS.confirmTimeoutMs / 1000} s) the manifest entry the page lists.

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
                          (default ${DEFAULTS.quietSeconds}; an upload that stalls longer is published early)
  --once                  process the folder once and exit (exit 1 if a release failed)
  --dry-run               hash and log what would be done; write nothing, signal nothing
  --log-level LEVEL       ${LOG_LEVELS.join('|')} (default info)
  --help                  this text
`;

const F = longFlags({
  releases: true,
  torrents: true,
  manifest: true,
  whitelist: true,
  'pid-file': true,
  'reload-command': true,
  'announce-http': true,
  'announce-udp': true,
  'web-seed-base': true,
  'on-delete': true,
  'log-level': true,
  'quiet-period': true,
  private: false,
  once: false,
  'dry-run': false,
});
const FLAG_SPEC = { defs: Object.values(F), help: ['--help'] };

/**
 * Reads the publisher's configuration: suite defaults from the environment, overridden by flags.
 * Throws ConfigError (the caller exits 2) on an unknown flag, a missing value or a bad value.
 */
export function parsePublisherConfig(argv: readonly string[], input: PublisherInput): ConfigResult<PublisherConfig> {
  const read = readFlags(argv, FLAG_SPEC);
  if (read.kind !== 'flags') return { kind: 'help', text: PUBLISHER_HELP };
  const f = new FlagValues(read.uses);
  const suite = suiteSettings(input.env, input.cwd);
  const envLogLevel = logLevelFromEnv(input.env, DEFAULTS.logLevel);
  const file = (def: (typeof F)[keyof typeof F], dflt: string): string => path.resolve(input.cwd, f.last(def, parsePath) ?? dflt);
  const releasesDir = file(F.releases, suite.releasesDir);
  const torrentsDir = file(F.torrents, suite.torrentsDir);
  if (path.relative(releasesDir, torrentsDir) === '') throw new ConfigError('option --torrents: must not be the releases folder');
  const webSeedBaseUrl = f.last(F['web-seed-base'], (v) => parseUrl(v, HTTP)) ?? suite.webSeedBaseUrl;
  const quietSeconds = f.last(F['quiet-period'], (v) => parseDuration(v, QUIET_SECONDS.min, QUIET_SECONDS.max)) ?? DEFAULTS.quietSeconds;
  return {
    kind: 'config',
    config: deepFreeze({
      releasesDir,
      torrentsDir,
      manifestPath: file(F.manifest, suite.manifestPath),
      whitelistPath: file(F.whitelist, suite.whitelistPath),
      trackerPidFile: file(F['pid-file'], suite.trackerPidFile),
      reloadCommand: f.last(F['reload-command'], (v) => parseText(v, MAX_COMMAND)) ?? null,
      announceHttpUrl: f.last(F['announce-http'], (v) => parseUrl(v, HTTP)) ?? suite.announceHttpUrl,
      announceUdpUrl: f.last(F['announce-udp'], (v) => parseUrl(v, ['udp:'])) ?? suite.announceUdpUrl,
      webSeedBaseUrl: webSeedBaseUrl.endsWith('/') ? webSeedBaseUrl : `${webSeedBaseUrl}/`,
      private: f.has(F.private),
      onDelete: f.last(F['on-delete'], (v) => parseChoice(v, ['remove', 'keep'] as const)) ?? DEFAULTS.onDelete,
      once: f.has(F.once),
      dryRun: f.has(F['dry-run']),
      logLevel: f.last(F['log-level'], parseLogLevel) ?? envLogLevel,
      stableMs: Math.round(quietSeconds * 1000),
      signalCoalesceMs: DEFAULTS.signalCoalesceMs,
      reloadTimeoutMs: DEFAULTS.reloadTimeoutMs,
      confirmTimeoutMs: DEFAULTS.confirmTimeoutMs,
      hashThreads: Math.max(1, Math.min(DEFAULTS.maxHashThreads, input.cpus ?? 1)),
    }),
  };
}
