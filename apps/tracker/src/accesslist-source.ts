/**
 * File adapter for the access list: read, parse, report. Returns null when the file cannot be
 * read, so a SIGHUP reload keeps the list in force (opentracker does the same, silently; we
 * say so). Startup with a missing file is the caller's decision (opentracker: empty list).
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Logger } from '../../../libs/common/src/log.js';
import { StartupError } from '../../../libs/common/src/startup-error.js';
import { parseAccessList, type ParsedAccessList } from '../../../libs/accesslist/src/parse.js';

/** How many ignored lines are named in the log; a broken 1M-line file must not flood it. */
const REPORTED_LINES = 20;

export interface LoadedAccessList extends ParsedAccessList {
  /** sha256 of the file's text: tells "the same file reloaded again" (a confirmation) from a new edit. */
  readonly digest: string;
}

export async function loadAccessListFile(path: string, log: Logger): Promise<LoadedAccessList | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
    log.warn({ path, code, err: (err as Error).message }, `access list ${path} not readable (${code})`);
    return null;
  }
  const list = parseAccessList(text);
  const reported = list.ignored.slice(0, REPORTED_LINES);
  log.info(
    { path, loaded: list.hashes.size, ignored: list.ignored.length, ignoredLines: reported.map((l) => l.line) },
    `access list ${path}: loaded ${list.hashes.size}, ignored ${list.ignored.length}`,
  );
  for (const l of reported) {
    log.warn(
      { path, line: l.line, text: l.text },
      `access list ${path} line ${l.line} ignored: not 40 hex digits at the start of the line`,
    );
  }
  return { ...list, digest: createHash('sha256').update(text).digest('hex') };
}

/**
 * Start-up check: an access list that exists must be a readable regular file. A folder, or a file this
 * user cannot read, would leave a closed tracker refusing every torrent with only a warning in the log;
 * at start there is no previous list to keep, so that is an error. A missing file is not: the publisher
 * creates it with the first release. Run again after the privilege drop, as SIGHUP reloads read it then.
 */
export function checkAccessListFile(path: string, user: string | null = null): void {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
    if (code === 'ENOENT') return;
    const who = user === null ? '' : ` by user ${user}`;
    throw new StartupError(`access list ${path} cannot be read${who} (${code}); fix its permissions or point -w/-b at a readable file`);
  }
  try {
    if (!fstatSync(fd).isFile())
      throw new StartupError(
        `access list ${path} is not a regular file (a folder?); point -w/-b (access.whitelist/access.blacklist) at the list file`,
      );
  } finally {
    closeSync(fd);
  }
}
