/** Result shapes shared by the sections, and the markdown table printed at the end (pure). */

export interface Row {
  readonly metric: string;
  readonly value: string;
  readonly goal?: string;
  /** null: no goal or not judged. */
  readonly pass?: boolean | null;
  readonly note?: string;
}

export interface SectionResult {
  readonly name: string;
  readonly rows: readonly Row[];
  /** Raw figures for results.json. */
  readonly data: unknown;
  /** Why the section did not run (missing tool, failure). */
  readonly skipped?: string;
  /** Verbatim output to show under the table (e.g. the hashing bench). */
  readonly text?: string;
}

const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function fmtMiB(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}

export function markdownTable(sections: readonly SectionResult[]): string {
  const lines = ['| section | metric | value | goal | met | note |', '| --- | --- | ---: | --- | :---: | --- |'];
  for (const s of sections) {
    if (s.skipped !== undefined) lines.push(`| ${esc(s.name)} | — | skipped | | | ${esc(s.skipped)} |`);
    for (const r of s.rows) {
      const met = r.pass === true ? 'yes' : r.pass === false ? '**no**' : '';
      lines.push(`| ${esc(s.name)} | ${esc(r.metric)} | ${esc(r.value)} | ${esc(r.goal ?? '')} | ${met} | ${esc(r.note ?? '')} |`);
    }
  }
  let out = lines.join('\n');
  for (const s of sections) {
    if (s.text) out += `\n\n${s.name}:\n\n\`\`\`\n${s.text.trimEnd()}\n\`\`\``;
  }
  return `${out}\n`;
}
