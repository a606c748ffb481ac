/**
 * The one error for a bad command line, config file line or environment variable, in every app. Its message
 * names where the value came from (`option -p`, `opentracker.conf line 7 (listen.tcp)`, `environment
 * TRACKER_PORT`) and what is wrong; the app prints it and exits with `exitCode` (2: bin/suite does not restart
 * on it, as a restart cannot fix a typo).
 */
import { USAGE_EXIT_CODE } from '../cli-errors.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly exitCode = USAGE_EXIT_CODE;
}

/** `where: problem`, from any error a value parser threw (parsers of other libs throw plain Errors). */
export function configErrorAt(where: string, err: unknown): ConfigError {
  return new ConfigError(`${where}: ${err instanceof Error ? err.message : String(err)}`);
}

/** Runs one value parser and names `where` in its error. */
export function parseAt<T>(where: string, value: string, parse: (value: string) => T): T {
  try {
    return parse(value);
  } catch (err) {
    throw configErrorAt(where, err);
  }
}
