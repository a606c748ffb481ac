import path from 'node:path';
import { showName, unknownNameMessage } from '../../../libs/common/src/cli-errors.js';
import { LOG_LEVELS, type LogLevel } from '../../../libs/common/src/log.js';
import { suiteSettings, SettingsError } from '../../../libs/common/src/suite-env.js';
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

export type StatsArgs =
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'run'; readonly config: StatsConfig };

/** Bad command line or environment; main prints the message and exits with `exitCode`. */
export class StatsConfigError extends Error {
  override name = 'StatsConfigError';
  readonly exitCode = 2;
}

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

type Flag = 'port' | 'host' | 'tracker-stats-url' | 'poll-interval' | 'manifest' | 'torrents' | 'releases'
  | 'db' | 'unknown-hashes' | 'title' | 'base-url' | 'log-level' | 'announce' | 'web-seed'
  | 'count-source' | 'max-unknown-hashes' | 'direct-limit' | 'direct-window' | 'trusted-proxy';
const FLAGS: ReadonlySet<string> = new Set<Flag>(['port', 'host', 'tracker-stats-url', 'poll-interval', 'manifest',
  'torrents', 'releases', 'db', 'unknown-hashes', 'title', 'base-url', 'log-level', 'announce', 'web-seed',
  'count-source', 'max-unknown-hashes', 'direct-limit', 'direct-window', 'trusted-proxy']);
/** Flags that may be given several times; the others keep their last value. */
const REPEATABLE: ReadonlySet<string> = new Set<Flag>(['announce', 'web-seed']);
const MAX_URLS = 32;

function readFlags(argv: readonly string[]): Map<Flag, string> | 'help' {
  const out = new Map<Flag, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    const m = /^--([a-z-]+)(?:=(.*))?$/s.exec(arg);
    if (!m) {
      if (arg.startsWith('-')) throw new StatsConfigError(unknownNameMessage(arg.split('=')[0]!, [...FLAGS].map((f) => `--${f}`)));
      throw new StatsConfigError(`unexpected argument ${showName(arg)} (options start with --)`);
    }
    const name = m[1]!;
    if (!FLAGS.has(name)) throw new StatsConfigError(unknownNameMessage(`--${name}`, [...FLAGS].map((f) => `--${f}`)));
    let value = m[2];
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new StatsConfigError(`option --${name} needs a value`);
    }
    // repeatable flags collect their values, NUL-separated (a NUL is refused in every value)
    const prev = out.get(name as Flag);
    out.set(name as Flag, REPEATABLE.has(name) && prev !== undefined ? `${prev}\0${value}` : value);
  }
  return out;
}

function urlList(flag: string, raw: string | undefined, dflt: readonly string[], protocols: readonly string[]): string[] {
  const values = raw === undefined ? [...dflt] : raw.split('\0');
  if (values.length > MAX_URLS) throw new StatsConfigError(`--${flag} may be given at most ${MAX_URLS} times`);
  return values.map((v) => {
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      throw new StatsConfigError(`--${flag} must be a ${protocols.join('/')} URL, got ${JSON.stringify(v)}`);
    }
    if (!protocols.includes(u.protocol)) throw new StatsConfigError(`--${flag} must be a ${protocols.join('/')} URL, got ${JSON.stringify(v)}`);
    return u.toString();
  });
}

function parsePort(raw: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) throw new StatsConfigError(`--port must be 0-65535, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

function parseSeconds(raw: string): number {
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || n < 1 || n > 86_400) {
    throw new StatsConfigError(`--poll-interval must be seconds between 1 and 86400, got ${JSON.stringify(raw)}`);
  }
  return n;
}

function parseHttpUrl(flag: string, raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new StatsConfigError(`${flag} must be an http(s) URL, got ${JSON.stringify(raw)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new StatsConfigError(`${flag} must be an http(s) URL, got ${JSON.stringify(raw)}`);
  return u.toString();
}

function nonEmpty(flag: string, raw: string, max = 4096): string {
  if (raw.trim() === '' || raw.length > max || raw.includes('\0')) throw new StatsConfigError(`${flag} must be non-empty text of at most ${max} characters`);
  return raw;
}

function parseInteger(flag: string, raw: string, min: number, max: number): number {
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new StatsConfigError(`${flag} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

function parseProxies(raw: string): string[] {
  const list = raw.split(',').map((x) => x.trim()).filter((x) => x !== '');
  for (const item of list) {
    try {
      parseCidr(item);
    } catch {
      throw new StatsConfigError(`--trusted-proxy: ${JSON.stringify(item)} is not an address or CIDR`);
    }
  }
  return list;
}

/** Reads the stats app's configuration once: suite environment defaults, then flags. Throws StatsConfigError. */
export function parseStatsArgs(argv: readonly string[], env: Record<string, string | undefined>, cwd: string): StatsArgs {
  const flags = readFlags(argv);
  if (flags === 'help') return { kind: 'help', text: STATS_HELP };
  let suite;
  try {
    suite = suiteSettings(env, cwd);
  } catch (e) {
    if (e instanceof SettingsError) throw new StatsConfigError(e.message);
    throw e;
  }
  const f = (name: Flag): string | undefined => flags.get(name);
  const p = (name: Flag, dflt: string): string => path.resolve(cwd, nonEmpty(`--${name}`, f(name) ?? dflt));
  const unknown = f('unknown-hashes') ?? 'show';
  if (unknown !== 'show' && unknown !== 'hide') throw new StatsConfigError(`--unknown-hashes must be show or hide, got ${JSON.stringify(unknown)}`);
  const source = f('count-source') ?? 'auto';
  if (source !== 'feed' && source !== 'counters' && source !== 'auto') throw new StatsConfigError(`--count-source must be feed, counters or auto, got ${JSON.stringify(source)}`);
  const level = f('log-level') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new StatsConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  const config: { -readonly [K in keyof StatsConfig]: StatsConfig[K] } = {
    host: nonEmpty('--host', f('host') ?? suite.bindHost, 255),
    port: f('port') === undefined ? suite.statsPort : parsePort(f('port')!),
    trackerStatsUrl: parseHttpUrl('--tracker-stats-url', f('tracker-stats-url') ?? suite.trackerStatsUrl),
    pollIntervalSeconds: f('poll-interval') === undefined ? 5 : parseSeconds(f('poll-interval')!),
    manifestPath: p('manifest', suite.manifestPath),
    torrentsDir: p('torrents', suite.torrentsDir),
    releasesDir: p('releases', suite.releasesDir),
    dbPath: p('db', suite.statsDbPath),
    unknownHashes: unknown,
    title: nonEmpty('--title', f('title') ?? 'Downloads', 200),
    logLevel: level as LogLevel,
    baseUrl: parseHttpUrl('--base-url', f('base-url') ?? suite.statsBaseUrl).replace(/\/+$/, ''),
    announceUrls: Object.freeze(urlList('announce', f('announce'), [suite.announceHttpUrl, suite.announceUdpUrl], ['http:', 'https:', 'udp:'])),
    webSeeds: [],
    countSource: source as CountSourceOption,
    maxUnknownHashes: f('max-unknown-hashes') === undefined ? 1000 : parseInteger('--max-unknown-hashes', f('max-unknown-hashes')!, 0, 1_000_000),
    directLimit: f('direct-limit') === undefined ? 3 : parseInteger('--direct-limit', f('direct-limit')!, 1, 1_000_000),
    directWindowSeconds: f('direct-window') === undefined ? 86_400 : parseInteger('--direct-window', f('direct-window')!, 1, 31_536_000),
    trustedProxies: Object.freeze(parseProxies(f('trusted-proxy') ?? '')),
  };
  const mirrors = urlList('web-seed', f('web-seed'), [], ['http:', 'https:']).map((u) => (u.endsWith('/') ? u : `${u}/`));
  config.webSeeds = Object.freeze([...new Set([`${config.baseUrl}/files/`, ...mirrors])]);
  return { kind: 'run', config: Object.freeze(config) };
}
