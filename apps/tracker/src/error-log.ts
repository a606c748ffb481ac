import type { Logger } from '../../../libs/common/src/log.js';

/** How often an error that outsiders can provoke is logged; the ones in between are only counted. */
export const ERROR_LOG_EVERY_MS = 60_000;

export type ErrorLog = (err: unknown, msg: string, extra?: Record<string, unknown>) => void;

/**
 * A log line per minute at most for errors an outsider can cause at will (bad packets, broken connections):
 * a flood of them must not become a flood of log lines filling the disk. The caller counts every error; the
 * line says so. Never throws: a logger that cannot write must not turn one bad request into a crash.
 */
export function createErrorLog(log: Logger, now: () => number): ErrorLog {
  let last = -Infinity;
  return (err, msg, extra) => {
    const t = now();
    if (t - last < ERROR_LOG_EVERY_MS) return;
    last = t;
    try {
      log.error({ err, ...extra }, `${msg} (further errors within a minute are counted, not logged)`);
    } catch {
      // see above
    }
  };
}
