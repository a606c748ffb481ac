import crypto from 'node:crypto';
import type { Logger } from '../../../libs/common/src/log.js';
import { hexToKey } from '../../../libs/protocol/src/index.js';
import { openJournal, type CompletionJournal, type JournalIo } from './completion-journal.js';
import type { TrackerConfig } from './config.js';
import { removeStaleTemps } from '../../../libs/common/src/atomic-write.js';
import { readStateFile } from './state-file.js';
import type { Clock, Tracker } from './tracker.js';

/**
 * Download counts back at start: the state file's, then every completion the journal acknowledged since that
 * file was written. The access list must already be in place (counts of unlisted torrents without downloads
 * are skipped). Returns the open journal, which records every completion from now on.
 */
export function restoreCounts(
  tracker: Tracker,
  config: Pick<TrackerConfig, 'stateFile' | 'journalFile' | 'journalKeep'>,
  clock: Clock,
  log: Logger,
  io?: JournalIo,
): CompletionJournal {
  const stale = removeStaleTemps(config.stateFile) + removeStaleTemps(config.journalFile);
  if (stale > 0) log.info({ removed: stale }, 'temp files of an interrupted state or journal write removed');
  const state = readStateFile(config.stateFile);
  if (state !== null) {
    const rows = state.rows.map((row) => ({ key: hexToKey(row.hex), baseMinute: row.baseMinute, downloaded: row.downloaded }));
    const r = tracker.restore(rows);
    for (const b of state.bad.slice(0, 20)) log.warn({ file: config.stateFile, line: b.line, text: b.text }, 'state file line skipped');
    log.info({ file: config.stateFile, torrents: r.restored, skipped: r.skipped, badLines: state.bad.length }, 'download counts restored');
  }
  const opened = openJournal({
    file: config.journalFile,
    keep: config.journalKeep,
    state: state?.journal ?? null,
    newId: () => crypto.randomBytes(8).toString('hex'),
    now: () => clock.now(),
    log,
    io,
  });
  const journal = opened.journal;
  for (const [hex, r] of opened.replay) tracker.replay(hexToKey(hex), r.count, Math.floor(r.lastMs / 60000));
  tracker.completions = journal;
  const js = journal.status();
  log.info(
    { file: config.journalFile, journal: js.id, first: js.first, last: js.last, replayed: opened.replayed },
    'completion journal opened',
  );
  return journal;
}
