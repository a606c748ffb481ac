/**
 * opentracker.conf tokenizer: one `keyword value` per line, `#` comments, blank lines, leading
 * and trailing whitespace ignored (`parse_configfile` in opentracker.c). The value is the rest of
 * the line, so paths may contain spaces; there are no trailing comments (opentracker has none).
 * Unlike opentracker, the lines are not acted on here: config.ts decides what each keyword means
 * and makes unknown ones fatal.
 */

export interface ConfigLine {
  /** 1-based. */
  readonly line: number;
  readonly keyword: string;
  /** The rest of the line, trimmed; null when the keyword stands alone. */
  readonly value: string | null;
}

export function tokenizeConfigFile(text: string): ConfigLine[] {
  const lines = (text.startsWith('\uFEFF') ? text.slice(1) : text).split('\n');
  const out: ConfigLine[] = [];
  lines.forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const ws = trimmed.search(/\s/);
    out.push(
      ws < 0
        ? { line: i + 1, keyword: trimmed, value: null }
        : { line: i + 1, keyword: trimmed.slice(0, ws), value: trimmed.slice(ws + 1).trim() },
    );
  });
  return out;
}
