import path from 'node:path';
import { showName } from '../../../libs/common/src/cli-errors.js';
import { ConfigError, configErrorAt, parseAt } from '../../../libs/common/src/config/config-error.js';
import type { ConfigInput, ConfigResult } from '../../../libs/common/src/config/config-result.js';
import { deepFreeze } from '../../../libs/common/src/config/deep-freeze.js';
import { FlagValues, longFlags, readFlags, type FlagDef } from '../../../libs/common/src/config/flag-reader.js';
import { logLevelFromEnv } from '../../../libs/common/src/config/log-env.js';
import { readConfigFile } from '../../../libs/common/src/config/read-config-file.js';
import { parsePath } from '../../../libs/common/src/config/value-parsers.js';
import { parseEnvFile } from '../../../libs/common/src/env-file.js';
import type { LogLevel } from '../../../libs/common/src/log.js';
import { SUITE_ENV_VARS, suiteSettings, type SuiteSettings } from '../../../libs/common/src/suite-env.js';
import { parsePublisherConfig, type PublisherConfig } from '../../publisher/src/config.js';
import { parseStatsConfig, type StatsConfig } from '../../stats/src/config.js';
import { parseTrackerConfig, type TrackerConfig } from '../../tracker/src/config.js';

/**
 * The suite's settings: environment variables, optionally from a config file (`--config FILE`, or
 * ./suite.env when it exists). The environment wins over the file, so a one-off override needs no edit.
 * Extra per-app flags go in TRACKER_ARGS / PUBLISHER_ARGS / STATS_ARGS (split like a shell would: see splitArgs).
 */
export const SUITE_KEYS = [
  ...SUITE_ENV_VARS,
  'TRACKER_ARGS',
  'PUBLISHER_ARGS',
  'STATS_ARGS',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'TRACKER_STORE',
] as const;

export const SUITE_HELP = `Usage: npm start [-- --config FILE]     (or ./bin/suite [--config FILE])

Runs the tracker, the publisher and the stats site in one process, restarted if it crashes.
Settings are environment variables, or KEY=value lines in a config file (default ./suite.env if present):

  PUBLIC_HOST      host name in announce and web-seed URLs        (default 127.0.0.1)
  BIND_HOST        address the tracker and stats site listen on    (default ::, IPv6 and IPv4 on one
                   socket, when the host has IPv6; else 0.0.0.0)
  TRACKER_PORT     tracker TCP and UDP port                        (default 6969)
  STATS_PORT       stats site port                                 (default 8080)
  DATA_DIR         torrents, manifest, SQLite, state and pid file  (default ./data)
  RELEASES_DIR     the folder the publisher watches                (default ./releases)
  WHITELIST        the tracker's whitelist file                     (default ./whitelist)
  ANNOUNCE_HTTP_URL, ANNOUNCE_UDP_URL, STATS_BASE_URL, TRACKER_STATS_URL
                   override the URLs derived from the above (e.g. https behind a proxy)
  TRACKER_ARGS, PUBLISHER_ARGS, STATS_ARGS
                   extra flags for one app (see ./bin/tracker --help, ./bin/publisher --help, ./bin/stats --help);
                   split like a shell does: STATS_ARGS='--title "Acme Downloads"'
  LOG_LEVEL        fatal|error|warn|info|debug                      (default info)
  LOG_FORMAT       pretty (coloured lines) | json (one JSON object per line) | auto
                   (default auto: pretty on a terminal, JSON otherwise)

  TRACKER_STORE    memory, or redis://[user:password@]host:port[/db] shared by several tracker machines
                   (password better in REDIS_PASSWORD, in the environment)

A second suite on the same files exits at once with code 2, naming the first one's pid; so do bad
settings and ports already in use (the launcher does not restart on 2). SIGHUP reloads the whitelist.
`;

/** The suite's own defaults; the apps' come from their DEFAULTS and the shared environment (suite-env.ts). */
export const DEFAULTS = deepFreeze({
  /** Read when it exists in the working folder and neither --config nor SUITE_CONFIG names another file. */
  configFile: 'suite.env',
  logLevel: 'info' as LogLevel,
  /** Each hashing thread costs ~10-15 MB, and the suite's budget is a 128 MB VPS. */
  publisherHashThreads: 1,
});

/** Everything the suite runs with, read and checked before anything starts. */
export interface SuitePlan {
  /** The environment with the config file's lines under it. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly configFile: string | null;
  /** The suite's own log lines; each app has its own level (LOG_LEVEL is the default of all of them). */
  readonly logLevel: LogLevel;
  readonly settings: SuiteSettings;
  readonly tracker: TrackerConfig;
  readonly publisher: PublisherConfig;
  readonly stats: StatsConfig;
}

const FLAGS = longFlags({ config: true });
const FLAG_SPEC = { defs: Object.values(FLAGS), help: ['-h', '--help'] };

/** --config FILE, else SUITE_CONFIG, else ./suite.env when it exists; the environment wins over the file. */
function suiteEnv(f: FlagValues<FlagDef>, input: ConfigInput): { env: Record<string, string | undefined>; configFile: string | null } {
  const flag = f.last(FLAGS.config, parsePath);
  const fromEnv = input.env['SUITE_CONFIG'];
  const [where, file, optional] =
    flag !== undefined
      ? ['option --config', flag, false]
      : fromEnv
        ? ['environment SUITE_CONFIG', fromEnv, false]
        : ['default config file', DEFAULTS.configFile, true];
  const configFile = path.resolve(input.cwd, file);
  const text = readConfigFile(input, where, file, optional);
  const lines = text === null ? {} : parseEnvFile(text, SUITE_KEYS, configFile);
  return { env: { ...lines, ...input.env }, configFile: text === null ? null : configFile };
}

/** One app's config from its *_ARGS variable; its errors are prefixed with the variable's name. */
function appConfig<T>(variable: string, parse: () => ConfigResult<T>): T {
  let result: ConfigResult<T>;
  try {
    result = parse();
  } catch (err) {
    throw configErrorAt(variable, err);
  }
  if (result.kind !== 'config') throw new ConfigError(`${variable}: --help is not an app flag inside the suite`);
  return result.config;
}

/**
 * Reads the suite's command line, config file and environment, then each app's configuration as it runs
 * inside the suite. Pure: the config file is read through `input.readFile`.
 */
export function parseSuiteConfig(argv: readonly string[], input: ConfigInput): ConfigResult<SuitePlan> {
  const read = readFlags(argv, FLAG_SPEC);
  if (read.kind !== 'flags') return { kind: 'help', text: SUITE_HELP };
  const { env, configFile } = suiteEnv(new FlagValues(read.uses), input);
  const logLevel = logLevelFromEnv(env, DEFAULTS.logLevel);
  const settings = suiteSettings(env, input.cwd);
  const appInput = { env, cwd: input.cwd, readFile: input.readFile, version: input.version };
  const args = (variable: string): string[] => parseAt(variable, env[variable] ?? '', splitArgs);
  const port = String(settings.trackerPort);
  const trackerArgs = ['-i', settings.bindHost, '-p', port, '-P', port, ...args('TRACKER_ARGS')];
  const tracker = appConfig('TRACKER_ARGS', () => parseTrackerConfig(trackerArgs, appInput));
  const publisherArgs = args('PUBLISHER_ARGS');
  const publisher = appConfig('PUBLISHER_ARGS', () =>
    parsePublisherConfig(publisherArgs, { ...appInput, cpus: DEFAULTS.publisherHashThreads }),
  );
  const statsExtra = args('STATS_ARGS');
  // The page hands out the trackers and web seed the publisher writes (served .torrent files and magnets
  // are rewritten to them), unless STATS_ARGS names its own.
  const own = (flag: string): boolean => statsExtra.some((a) => a === flag || a.startsWith(`${flag}=`));
  const fromPublisher = [
    ...(own('--announce') ? [] : ['--announce', publisher.announceHttpUrl, '--announce', publisher.announceUdpUrl]),
    ...(own('--web-seed') ? [] : ['--web-seed', publisher.webSeedBaseUrl]),
  ];
  const stats = appConfig('STATS_ARGS', () => parseStatsConfig(['--host', settings.bindHost, ...fromPublisher, ...statsExtra], appInput));
  return { kind: 'config', config: deepFreeze({ env, configFile, logLevel, settings, tracker, publisher, stats }) };
}

/**
 * Splits TRACKER_ARGS / PUBLISHER_ARGS / STATS_ARGS into arguments the way sh does for words, without
 * expansion: blanks separate; 'single quotes' keep everything; "double quotes" keep everything except that
 * a backslash escapes \\ " $ ` and newline; a backslash outside quotes escapes the next character.
 * So `--title "Acme Downloads"` is two arguments. An unterminated quote or trailing backslash is an error.
 */
export function splitArgs(value: string | undefined): string[] {
  const text = value ?? '';
  const out: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) out.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new ConfigError(`unterminated ' quote in ${showName(text.slice(0, 80))}`);
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new ConfigError(`unterminated " quote in ${showName(text.slice(0, 80))}`);
        const d = text[i]!;
        if (d === '"') break;
        if (d === '\\' && i + 1 < text.length && '\\"$`\n'.includes(text[i + 1]!)) {
          if (text[i + 1] !== '\n') word += text[i + 1];
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      inWord = true;
      i++;
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new ConfigError(`trailing backslash in ${showName(text.slice(0, 80))}`);
      if (text[i + 1] !== '\n') {
        word += text[i + 1];
        inWord = true;
      }
      i += 2;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) out.push(word);
  return out;
}
