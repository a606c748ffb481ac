/**
 * The suite's config file: `KEY=value` lines, `#` comments, optional single or double quotes around the
 * value. Only known keys are accepted, so a typo is an error at start rather than a setting silently ignored.
 */
import { unknownNameMessage } from './cli-errors.js';
import { ConfigError } from './config/config-error.js';

export function parseEnvFile(text: string, known: readonly string[], fileName: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Z][A-Z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (m === null) throw new ConfigError(`${fileName} line ${i + 1}: expected KEY=value, got ${JSON.stringify(line.slice(0, 80))}`);
    const key = m[1]!;
    if (!known.includes(key)) throw new ConfigError(`${fileName} line ${i + 1}: ${unknownNameMessage(key, known, 'setting')}`);
    let value = m[2]!;
    const q = value[0];
    if ((q === '"' || q === "'") && value.length >= 2 && value.endsWith(q)) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    out[key] = value;
  }
  return out;
}
