import path from 'node:path';
import { quote } from '../cli-errors.js';
import { ConfigError } from './config-error.js';
import type { ConfigInput } from './config-result.js';

/**
 * A config file named by the user (`-f FILE`, `--config FILE`), read through `input.readFile` relative to
 * `input.cwd`. One that cannot be read is a ConfigError: `option -f: cannot read config file 'x': ENOENT`.
 * With `optional`, a missing file is null (a default file that need not exist).
 */
export function readConfigFile(input: ConfigInput, where: string, file: string, optional = false): string | null {
  try {
    if (input.readFile === undefined) throw new Error('no file reader');
    return input.readFile(path.resolve(input.cwd, file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (optional && code === 'ENOENT') return null;
    throw new ConfigError(`${where}: cannot read config file ${quote(file)}: ${code ?? (err as Error).message}`);
  }
}
