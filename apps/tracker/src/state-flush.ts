import type { Logger } from '../../../libs/common/src/log.js';
import type { CompletionJournal } from './completion-journal.js';
import { renderState, writeStateFile } from './state-file.js';
import type { Clock, Tracker } from './tracker.js';

/**
 * Writes queued journal entries, then the state file if any count changed since the last write. True when
 * everything counted is on disk (journal and state file); false, with an error logged at most once a minute,
 * when it is not. The state file may only claim a journal seq once every entry up to it is in the journal.
 */
export function createStateFlusher(
  tracker: Tracker,
  journal: CompletionJournal,
  stateFile: string,
  clock: Clock,
  log: Logger,
): () => boolean {
  let flushedCounts = -1;
  let flushedSeq = -1;
  let lastStateErrorLog = -Infinity;
  return function flush(): boolean {
    if (!journal.writePending()) return false;
    const seq = journal.lastSeq;
    if (tracker.store.countsGeneration === flushedCounts && seq === flushedSeq) return true;
    const generation = tracker.store.countsGeneration;
    try {
      writeStateFile(stateFile, renderState(tracker, { id: journal.id, seq }));
    } catch (err) {
      tracker.counters.stateWriteErrors++;
      const now = clock.now();
      if (now - lastStateErrorLog >= 60_000) {
        lastStateErrorLog = now;
        log.error(
          { err, file: stateFile, errors: tracker.counters.stateWriteErrors },
          'state file not written; counts stay in memory (and in the journal) and the next flush retries',
        );
      }
      return false;
    }
    flushedCounts = generation;
    flushedSeq = seq;
    tracker.counters.stateWrittenAt = clock.now();
    journal.compact(seq);
    return true;
  };
}
