/**
 * The edge of every app's main: runs the pure config parser; help and version go to stdout with exit 0, a
 * ConfigError to stderr in the one wording (`tracker: unknown option -x` + a pointer to --help) with exit 2.
 * Anything else is a bug and is thrown as it is.
 */
import { usageErrorText } from '../cli-errors.js';
import { ConfigError } from './config-error.js';
import type { ConfigResult } from './config-result.js';

export function configOrExit<T>(app: string, parse: () => ConfigResult<T>): T {
  let result: ConfigResult<T>;
  try {
    result = parse();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(usageErrorText(app, err.message));
    process.exit(err.exitCode);
  }
  if (result.kind === 'config') return result.config;
  process.stdout.write(result.text);
  process.exit(0);
}
