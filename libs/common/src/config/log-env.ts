/**
 * LOG_LEVEL and LOG_FORMAT, read the same way by every app: LOG_LEVEL is the default of the app's
 * --log-level, LOG_FORMAT chooses the log line format. A bad value is a ConfigError naming the variable.
 */
import type { LogLevel } from '../log.js';
import { parseAt } from './config-error.js';
import { parseLogFormat, parseLogLevel } from './value-parsers.js';

/** The log level LOG_LEVEL sets (`dflt` when unset); also checks LOG_FORMAT, which the logger reads itself. */
export function logLevelFromEnv(env: Readonly<Record<string, string | undefined>>, dflt: LogLevel): LogLevel {
  const format = env['LOG_FORMAT'];
  if (format !== undefined && format !== '') parseAt('environment LOG_FORMAT', format, parseLogFormat);
  const level = env['LOG_LEVEL'];
  return level === undefined || level === '' ? dflt : parseAt('environment LOG_LEVEL', level, parseLogLevel);
}
