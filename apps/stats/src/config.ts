import path from 'node:path';
import { showName, unknownNameMessage } from '../../../libs/common/src/cli-errors.js';
import { LOG_LEVELS, type LogLevel } from '../../../libs/common/src/log.js';
import { suiteSettings, SettingsError } from '../../../libs/common/src/suite-env.js';

export type UnknownHashes = 'show' | 'hide';

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
  --poll-interval SECONDS  how often to poll the tracker (default 60)
  --manifest FILE          publisher manifest (default DATA_DIR/manifest.json)
  --torrents DIR           .torrent folder (default DATA_DIR/torrents)
  --releases DIR           release files served under /files/ (default RELEASES_DIR or ./releases)
  --db FILE                SQLite database (default DATA_DIR/stats.sqlite)
  --unknown-hashes MODE    show|hide torrents the manifest does not know (default show)
  --title TEXT             page title (default "Downloads")
  --base-url URL           public URL of this site for absolute links (default STATS_BASE_URL)
  --log-level LEVEL        ${LOG_LEVELS.join('|')} (default info)
  --help                   this text
`;

type Flag = 'port' | 'host' | 'tracker-stats-url' | 'poll-interval' | 'manifest' | 'torrents' | 'releases'
  | 'db' | 'unknown-hashes' | 'title' | 'base-url' | 'log-level';
const FLAGS: ReadonlySet<string> = new Set<Flag>(['port', 'host', 'tracker-stats-url', 'poll-interval', 'manifest',
  'torrents', 'releases', 'db', 'unknown-hashes', 'title', 'base-url', 'log-level']);

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
    out.set(name as Flag, value);
  }
  return out;
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
  const level = f('log-level') ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new StatsConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  const config: StatsConfig = {
    host: nonEmpty('--host', f('host') ?? suite.bindHost, 255),
    port: f('port') === undefined ? suite.statsPort : parsePort(f('port')!),
    trackerStatsUrl: parseHttpUrl('--tracker-stats-url', f('tracker-stats-url') ?? suite.trackerStatsUrl),
    pollIntervalSeconds: f('poll-interval') === undefined ? 60 : parseSeconds(f('poll-interval')!),
    manifestPath: p('manifest', suite.manifestPath),
    torrentsDir: p('torrents', suite.torrentsDir),
    releasesDir: p('releases', suite.releasesDir),
    dbPath: p('db', suite.statsDbPath),
    unknownHashes: unknown,
    title: nonEmpty('--title', f('title') ?? 'Downloads', 200),
    logLevel: level as LogLevel,
    baseUrl: parseHttpUrl('--base-url', f('base-url') ?? suite.statsBaseUrl).replace(/\/+$/, ''),
  };
  return { kind: 'run', config: Object.freeze(config) };
}
