import os from 'node:os';
import path from 'node:path';
import { parseAt } from './config/config-error.js';
import { deepFreeze } from './config/deep-freeze.js';
import { parseHost, parsePort, parseUrl } from './config/value-parsers.js';

/**
 * The suite's shared settings. Every app derives its defaults from these, so one set of
 * environment variables (or the suite config file, which sets the same names) configures all three.
 * Paths are resolved against `cwd`.
 */
export interface SuiteSettings {
  readonly publicHost: string;
  /**
   * Address the tracker and the stats site listen on: 0.0.0.0 unless set; the mains default it to `::`
   * (dual stack: IPv6 and IPv4 on one socket) on a host with IPv6 (see withHostDefaults).
   */
  readonly bindHost: string;
  readonly trackerPort: number;
  readonly statsPort: number;
  readonly dataDir: string;
  readonly releasesDir: string;
  readonly whitelistPath: string;
  /** Derived from the above unless set explicitly. */
  readonly announceHttpUrl: string;
  readonly announceUdpUrl: string;
  readonly statsBaseUrl: string;
  readonly webSeedBaseUrl: string;
  readonly trackerStatsUrl: string;
  readonly torrentsDir: string;
  readonly manifestPath: string;
  readonly trackerPidFile: string;
  readonly trackerStateFile: string;
  readonly statsDbPath: string;
}

export const SUITE_ENV_VARS = [
  'PUBLIC_HOST',
  'BIND_HOST',
  'TRACKER_PORT',
  'STATS_PORT',
  'DATA_DIR',
  'RELEASES_DIR',
  'WHITELIST',
  'ANNOUNCE_HTTP_URL',
  'ANNOUNCE_UDP_URL',
  'STATS_BASE_URL',
  'TRACKER_STATS_URL',
] as const;

/** What an unset (or empty) variable means. */
export const SUITE_DEFAULTS = deepFreeze({
  publicHost: '127.0.0.1',
  bindHost: '0.0.0.0',
  trackerPort: 6969,
  statsPort: 8080,
  dataDir: 'data',
  releasesDir: 'releases',
  whitelist: 'whitelist',
});

type Env = Readonly<Record<string, string | undefined>>;

/** The variable parsed, or `dflt` when it is unset or empty; a bad value is a ConfigError naming the variable. */
function fromEnv<T>(env: Env, name: string, parse: (value: string) => T, dflt: T): T {
  const raw = env[name];
  return raw === undefined || raw === '' ? dflt : parseAt(`environment ${name}`, raw, parse);
}

const HTTP = ['http:', 'https:'];

function hostForUrl(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** True when some interface (at least ::1 on lo) has an IPv6 address, i.e. binding `::` can work. */
export function hostHasIpv6(interfaces: ReturnType<typeof os.networkInterfaces> = os.networkInterfaces()): boolean {
  return Object.values(interfaces).some((list) => (list ?? []).some((a) => a.family === 'IPv6'));
}

/**
 * The environment as the mains see it: an unset BIND_HOST becomes `::` where the host has IPv6, so a default
 * install serves IPv6 peers too (one dual-stack socket also takes IPv4), and 0.0.0.0 where it has none.
 * Kept out of suiteSettings so that the parsers stay pure and their tests do not depend on the machine.
 */
export function withHostDefaults(
  env: Record<string, string | undefined>,
  ipv6: boolean = hostHasIpv6(),
): Record<string, string | undefined> {
  if (env['BIND_HOST']) return env;
  return { ...env, BIND_HOST: ipv6 ? '::' : '0.0.0.0' };
}

/** Reads the suite's settings from an environment-like record. Throws ConfigError on bad values. */
export function suiteSettings(env: Env, cwd: string): SuiteSettings {
  const d = SUITE_DEFAULTS;
  const publicHost = fromEnv(env, 'PUBLIC_HOST', parseHost, d.publicHost);
  const trackerPort = fromEnv(env, 'TRACKER_PORT', parsePort, d.trackerPort);
  const statsPort = fromEnv(env, 'STATS_PORT', parsePort, d.statsPort);
  const dataDir = path.resolve(cwd, env['DATA_DIR'] || d.dataDir);
  const h = hostForUrl(publicHost);
  const url = (name: string, protocols: readonly string[], dflt: string): string => fromEnv(env, name, (v) => parseUrl(v, protocols), dflt);
  const statsBaseUrl = url('STATS_BASE_URL', HTTP, `http://${h}:${statsPort}`).replace(/\/+$/, '');
  return Object.freeze({
    publicHost,
    bindHost: env['BIND_HOST'] || d.bindHost,
    trackerPort,
    statsPort,
    dataDir,
    releasesDir: path.resolve(cwd, env['RELEASES_DIR'] || d.releasesDir),
    whitelistPath: path.resolve(cwd, env['WHITELIST'] || d.whitelist),
    announceHttpUrl: url('ANNOUNCE_HTTP_URL', HTTP, `http://${h}:${trackerPort}/announce`),
    announceUdpUrl: url('ANNOUNCE_UDP_URL', ['udp:'], `udp://${h}:${trackerPort}/announce`),
    statsBaseUrl,
    webSeedBaseUrl: `${statsBaseUrl}/files/`,
    trackerStatsUrl: url('TRACKER_STATS_URL', HTTP, `http://127.0.0.1:${trackerPort}/stats?mode=tpbs&format=txtp`),
    torrentsDir: path.join(dataDir, 'torrents'),
    manifestPath: path.join(dataDir, 'manifest.json'),
    trackerPidFile: path.join(dataDir, 'tracker.pid'),
    trackerStateFile: path.join(dataDir, 'tracker.state'),
    statsDbPath: path.join(dataDir, 'stats.sqlite'),
  });
}
