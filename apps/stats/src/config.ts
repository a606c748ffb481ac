import path from 'node:path';
import { ConfigError, parseAt } from '../../../libs/common/src/config/config-error.js';
import type { ConfigInput, ConfigResult } from '../../../libs/common/src/config/config-result.js';
import { deepFreeze } from '../../../libs/common/src/config/deep-freeze.js';
import { FlagValues, longFlags, readFlags } from '../../../libs/common/src/config/flag-reader.js';
import { logLevelFromEnv } from '../../../libs/common/src/config/log-env.js';
import {
  parseChoice,
  parseDuration,
  parseHost,
  parseIntIn,
  parseLogLevel,
  parsePath,
  parsePort,
  parseText,
  parseUrl,
} from '../../../libs/common/src/config/value-parsers.js';
import { LOG_LEVELS, type LogLevel } from '../../../libs/common/src/log.js';
import { suiteSettings } from '../../../libs/common/src/suite-env.js';
import { parseCidr } from '../../../libs/net/src/cidr.js';

export type UnknownHashes = 'show' | 'hide';
export type CountSourceOption = 'feed' | 'counters' | 'auto';

export interface StatsConfig {
  readonly host: string;
  readonly port: number;
  readonly trackerStatsUrl: string;
  readonly pollIntervalSeconds: number;
  readonly manifestPath: string;
  readonly torrentsDir: string;
  readonly releasesDir: string;
  readonly dbPath: string;
  /** Hashes the tracker reports that no manifest entry or .torrent file names. */
  readonly unknownHashes: UnknownHashes;
  readonly title: string;
  readonly logLevel: LogLevel;
  /** Public base URL of this site (no trailing slash): absolute links in the API and CSV. */
  readonly baseUrl: string;
  /** Tracker tiers written into served .torrent files and magnet links (one URL per tier). */
  readonly announceUrls: readonly string[];
  /** BEP 19 web seeds in served .torrent files and magnet links: `baseUrl/files/`, then the extra mirrors. */
  readonly webSeeds: readonly string[];
  /** Where download counts come from: the tracker's completion feed, its counters, or auto-detect. */
  readonly countSource: CountSourceOption;
  /** Hashes outside the catalog that may get a row in the database. */
  readonly maxUnknownHashes: number;
  /** Complete direct downloads one address (IPv4, IPv6 /64) adds per release per window. */
  readonly directLimit: number;
  readonly directWindowSeconds: number;
  /** Proxies whose X-Forwarded-For is believed (CIDRs). */
  readonly trustedProxies: readonly string[];
}

/** The site's defaults; ports, paths and URLs come from the suite's environment (suite-env.ts). */
export const DEFAULTS = deepFreeze({
  pollIntervalSeconds: 5,
  title: 'Downloads',
  unknownHashes: 'show' as UnknownHashes,
  countSource: 'auto' as CountSourceOption,
  maxUnknownHashes: 1000,
  directLimit: 3,
  directWindowSeconds: 86_400,
  trustedProxies: [] as readonly string[],
  logLevel: 'info' as LogLevel,
});
/** Most --announce and most --web-seed values: each is copied into every served .torrent and magnet link. */
const MAX_URLS = 32;
const HTTP = ['http:', 'https:'];

export const STATS_HELP = `Usage: stats [options]

Public download-count site: polls the tracker's /stats, keeps history in SQLite,
serves the release page, JSON/CSV API, .torrent files and the release files (web seed).

Options (defaults come from the suite's environment: STATS_PORT, DATA_DIR, RELEASES_DIR, ...):
  --port N                 listen port (default STATS_PORT or 8080; 0 = any free port)
  --host ADDR              listen address (default BIND_HOST, else :: with IPv6, else 0.0.0.0)
  --tracker-stats-url URL  tracker stats URL (default http://127.0.0.1:<TRACKER_PORT>/stats?mode=tpbs&format=txtp)
  --poll-interval SECONDS  how often to poll the tracker (default 5: with a tracker that loses its
                           counters on restart, such as opentracker, a restart loses at most this much)
  --count-source SOURCE    feed|counters|auto: count from the tracker's completion feed, from its
                           per-torrent counters (opentracker), or whichever it offers (default auto)
  --max-unknown-hashes N   hashes outside the catalog stored at most (default 1000)
  --direct-limit N         complete direct downloads counted per address (IPv4, IPv6 /64) per release
                           per window (default 3)
  --direct-window SECONDS  that window (default 86400)
  --trusted-proxy LIST     comma-separated proxy addresses/CIDRs whose X-Forwarded-For is believed
                           (default none; e.g. 127.0.0.1 behind nginx)
  --manifest FILE          publisher manifest (default DATA_DIR/manifest.json)
  --torrents DIR           .torrent folder (default DATA_DIR/torrents)
  --releases DIR           release files served under /files/ (default RELEASES_DIR or ./releases)
  --db FILE                SQLite database (default DATA_DIR/stats.sqlite)
  --unknown-hashes MODE    show|hide torrents the manifest does not know (default show)
  --title TEXT             page title (default "Downloads")
  --base-url URL           public URL of this site for absolute links (default STATS_BASE_URL)
  --announce URL           tracker URL put into served .torrent files and magnet links, repeatable, one tier
                           each (default ANNOUNCE_HTTP_URL and ANNOUNCE_UDP_URL); the info_hash never changes
  --web-seed URL           extra web seed (a mirror of the releases folder, ending in /), repeatable;
                           BASE-URL/files/ is always the first
  --log-level LEVEL        ${LOG_LEVELS.join('|')} (default info)
  --help                   this text
`;

const F = longFlags({
  port: true,
  host: true,
  'tracker-stats-url': true,
  'poll-interval': true,
  manifest: true,
  torrents: true,
  releases: true,
  db: true,
  'unknown-hashes': true,
  title: true,
  'base-url': true,
  'log-level': true,
  announce: true,
  'web-seed': true,
  'count-source': true,
  'max-unknown-hashes': true,
  'direct-limit': true,
  'direct-window': true,
  'trusted-proxy': true,
});
const FLAG_SPEC = { defs: Object.values(F), help: ['-h', '--help'] };
type Flag = (typeof F)[keyof typeof F];

/** `--trusted-proxy 127.0.0.1, ::1/128`: addresses or CIDRs, comma-separated. */
function parseProxies(value: string): string[] {
  const list = value
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
  for (const item of list) parseCidr(item);
  return list;
}

/** A repeatable URL flag: every value, or `dflt` when none is given. */
function urls(f: FlagValues<Flag>, def: Flag, protocols: readonly string[], dflt: readonly string[]): string[] {
  const given = f.all(def, (v) => parseUrl(v, protocols));
  if (given.length > MAX_URLS) throw new ConfigError(`option ${def.flags[0]}: given more than ${MAX_URLS} times`);
  return given.length === 0 ? [...dflt] : given;
}

/** Reads the stats app's configuration once: suite environment defaults, then flags. Throws ConfigError. */
export function parseStatsConfig(argv: readonly string[], input: ConfigInput): ConfigResult<StatsConfig> {
  const read = readFlags(argv, FLAG_SPEC);
  if (read.kind !== 'flags') return { kind: 'help', text: STATS_HELP };
  const f = new FlagValues(read.uses);
  const suite = suiteSettings(input.env, input.cwd);
  const envLogLevel = logLevelFromEnv(input.env, DEFAULTS.logLevel);
  const file = (def: Flag, dflt: string): string => path.resolve(input.cwd, f.last(def, parsePath) ?? dflt);
  const baseUrl = (f.last(F['base-url'], (v) => parseUrl(v, HTTP)) ?? suite.statsBaseUrl).replace(/\/+$/, '');
  const mirrors = urls(f, F['web-seed'], HTTP, []).map((u) => (u.endsWith('/') ? u : `${u}/`));
  return {
    kind: 'config',
    config: deepFreeze({
      host: f.last(F.host, parseHost) ?? parseAt('environment BIND_HOST', suite.bindHost, parseHost),
      port: f.last(F.port, parsePort) ?? suite.statsPort,
      trackerStatsUrl: f.last(F['tracker-stats-url'], (v) => parseUrl(v, HTTP)) ?? suite.trackerStatsUrl,
      pollIntervalSeconds: f.last(F['poll-interval'], (v) => parseDuration(v, 1, 86_400)) ?? DEFAULTS.pollIntervalSeconds,
      manifestPath: file(F.manifest, suite.manifestPath),
      torrentsDir: file(F.torrents, suite.torrentsDir),
      releasesDir: file(F.releases, suite.releasesDir),
      dbPath: file(F.db, suite.statsDbPath),
      unknownHashes: f.last(F['unknown-hashes'], (v) => parseChoice(v, ['show', 'hide'] as const)) ?? DEFAULTS.unknownHashes,
      title: f.last(F.title, (v) => parseText(v, 200)) ?? DEFAULTS.title,
      logLevel: f.last(F['log-level'], parseLogLevel) ?? envLogLevel,
      baseUrl,
      announceUrls: urls(f, F.announce, [...HTTP, 'udp:'], [suite.announceHttpUrl, suite.announceUdpUrl]),
      webSeeds: [...new Set([`${baseUrl}/files/`, ...mirrors])],
      countSource: f.last(F['count-source'], (v) => parseChoice(v, ['feed', 'counters', 'auto'] as const)) ?? DEFAULTS.countSource,
      maxUnknownHashes: f.last(F['max-unknown-hashes'], (v) => parseIntIn(v, 0, 1_000_000)) ?? DEFAULTS.maxUnknownHashes,
      directLimit: f.last(F['direct-limit'], (v) => parseIntIn(v, 1, 1_000_000)) ?? DEFAULTS.directLimit,
      directWindowSeconds: f.last(F['direct-window'], (v) => parseIntIn(v, 1, 31_536_000)) ?? DEFAULTS.directWindowSeconds,
      trustedProxies: f.last(F['trusted-proxy'], parseProxies) ?? [...DEFAULTS.trustedProxies],
    }),
  };
}
