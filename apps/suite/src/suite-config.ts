import fs from 'node:fs';
import path from 'node:path';
import { parseEnvFile } from '../../../libs/common/src/env-file.js';
import { SUITE_ENV_VARS } from '../../../libs/common/src/suite-env.js';

/**
 * The suite's settings: environment variables, optionally from a config file (`--config FILE`, or
 * ./suite.env when it exists). The environment wins over the file, so a one-off override needs no edit.
 * Extra per-app flags go in TRACKER_ARGS / PUBLISHER_ARGS / STATS_ARGS (split on spaces).
 */
export const SUITE_KEYS = [...SUITE_ENV_VARS, 'TRACKER_ARGS', 'PUBLISHER_ARGS', 'STATS_ARGS', 'LOG_LEVEL', 'TRACKER_STORE'] as const;

export const SUITE_HELP = `Usage: npm start [-- --config FILE]     (or ./bin/suite [--config FILE])

Runs the tracker, the publisher and the stats site in one process, restarted if it crashes.
Settings are environment variables, or KEY=value lines in a config file (default ./suite.env if present):

  PUBLIC_HOST      host name in announce and web-seed URLs        (default 127.0.0.1)
  BIND_HOST        address the tracker and stats site listen on    (default 0.0.0.0)
  TRACKER_PORT     tracker TCP and UDP port                        (default 6969)
  STATS_PORT       stats site port                                 (default 8080)
  DATA_DIR         torrents, manifest, SQLite, state and pid file  (default ./data)
  RELEASES_DIR     the folder the publisher watches                (default ./releases)
  WHITELIST        the tracker's whitelist file                     (default ./whitelist)
  ANNOUNCE_HTTP_URL, ANNOUNCE_UDP_URL, STATS_BASE_URL, TRACKER_STATS_URL
                   override the URLs derived from the above (e.g. https behind a proxy)
  TRACKER_ARGS, PUBLISHER_ARGS, STATS_ARGS
                   extra flags for one app (see ./bin/tracker --help, ./bin/publisher --help, ./bin/stats --help)
  LOG_LEVEL        fatal|error|warn|info|debug                      (default info)
  TRACKER_STORE    memory, or redis://[user:password@]host:port[/db] shared by several tracker machines
                   (password better in REDIS_PASSWORD, in the environment)
`;

export interface SuiteInput {
  readonly env: Record<string, string | undefined>;
  readonly configFile: string | null;
  readonly help: boolean;
}

export function readSuiteInput(argv: readonly string[], env: Record<string, string | undefined>, cwd: string): SuiteInput {
  let file: string | null = null;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') help = true;
    else if (a === '--config' && argv[i + 1] !== undefined) file = path.resolve(cwd, argv[++i]!);
    else if (a.startsWith('--config=')) file = path.resolve(cwd, a.slice(9));
    else throw new Error(`unknown option ${JSON.stringify(a)} (try --help)`);
  }
  if (file === null && env['SUITE_CONFIG']) file = path.resolve(cwd, env['SUITE_CONFIG']);
  if (file === null && fs.existsSync(path.join(cwd, 'suite.env'))) file = path.join(cwd, 'suite.env');
  const fromFile = file === null ? {} : parseEnvFile(fs.readFileSync(file, 'utf8'), SUITE_KEYS, file);
  return { env: Object.freeze({ ...fromFile, ...env }), configFile: file, help };
}

export function splitArgs(value: string | undefined): string[] {
  return (value ?? '').split(/\s+/).filter((s) => s !== '');
}
