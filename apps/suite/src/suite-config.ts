import fs from 'node:fs';
import path from 'node:path';
import { showName, unknownNameMessage } from '../../../libs/common/src/cli-errors.js';
import { parseEnvFile } from '../../../libs/common/src/env-file.js';
import { SUITE_ENV_VARS } from '../../../libs/common/src/suite-env.js';

/**
 * The suite's settings: environment variables, optionally from a config file (`--config FILE`, or
 * ./suite.env when it exists). The environment wins over the file, so a one-off override needs no edit.
 * Extra per-app flags go in TRACKER_ARGS / PUBLISHER_ARGS / STATS_ARGS (split like a shell would: see splitArgs).
 */
export const SUITE_KEYS = [...SUITE_ENV_VARS, 'TRACKER_ARGS', 'PUBLISHER_ARGS', 'STATS_ARGS', 'LOG_LEVEL', 'LOG_FORMAT', 'TRACKER_STORE'] as const;

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

export class SuiteConfigError extends Error {
  override name = 'SuiteConfigError';
}

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
    else if (a === '--config') throw new SuiteConfigError('option --config needs a value');
    else if (!a.startsWith('-')) throw new SuiteConfigError(`unexpected argument ${showName(a)} (options start with --)`);
    else throw new SuiteConfigError(unknownNameMessage(a.split('=')[0]!, ['--config', '--help']));
  }
  if (file === null && env['SUITE_CONFIG']) file = path.resolve(cwd, env['SUITE_CONFIG']);
  if (file === null && fs.existsSync(path.join(cwd, 'suite.env'))) file = path.join(cwd, 'suite.env');
  const fromFile = file === null ? {} : parseEnvFile(fs.readFileSync(file, 'utf8'), SUITE_KEYS, file);
  return { env: Object.freeze({ ...fromFile, ...env }), configFile: file, help };
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
      if (end < 0) throw new SuiteConfigError(`unterminated ' quote in ${showName(text.slice(0, 80))}`);
      word += text.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new SuiteConfigError(`unterminated " quote in ${showName(text.slice(0, 80))}`);
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
      if (i + 1 >= text.length) throw new SuiteConfigError(`trailing backslash in ${showName(text.slice(0, 80))}`);
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
