import type { Logger } from './log.js';
import { OUTPUT_GONE_CODES } from './log-sink.js';

/**
 * The two ways a process ends: a stop signal, or a bug. Both must end it, quickly and saying what became of
 * the state. A close that hangs (a socket that never drains, a stuck disk) is cut short by a watchdog after
 * `graceMs`, after one last synchronous flush; a close that could not write the state exits non-zero with an
 * error line, so "stopped" is never claimed when counts were lost.
 */
export interface StopResult {
  readonly flushed: boolean;
}

export type Exit = (code: number) => void;

export interface ShutdownOptions {
  readonly log: Logger;
  /** Closes everything; a `{ flushed: false }` result or a rejection is a failed stop. */
  readonly close: () => Promise<StopResult | unknown>;
  /** Last resort when close hangs: write the state synchronously; false, `{ flushed: false }` or a throw = not written. */
  readonly flushSync?: () => unknown;
  readonly graceMs?: number;
  readonly exit?: Exit;
}

export const DEFAULT_STOP_GRACE_MS = 5000;

/** True when the result of a flush or close does not say it failed. */
export function reportsFlushed(result: unknown): boolean {
  if (result === false) return false;
  return !(typeof result === 'object' && result !== null && (result as { flushed?: unknown }).flushed === false);
}

function tryFlush(flushSync: (() => unknown) | undefined, log: Logger): boolean {
  if (flushSync === undefined) return true;
  try {
    return reportsFlushed(flushSync());
  } catch (err) {
    log.error({ err }, 'last-resort state flush failed');
    return false;
  }
}

/** Returns the stop function; the caller wires it to SIGINT/SIGTERM (see onStopSignals). */
export function createShutdown(opts: ShutdownOptions): (signal: string) => void {
  const exit: Exit = opts.exit ?? ((code) => process.exit(code));
  const graceMs = opts.graceMs ?? DEFAULT_STOP_GRACE_MS;
  const log = opts.log;
  let stopping = false;
  let done = false;
  const finish = (code: number): void => {
    if (done) return;
    done = true;
    exit(code);
  };
  return (signal) => {
    if (stopping) {
      // a second Ctrl-C: the person wants out now
      const flushed = tryFlush(opts.flushSync, log);
      if (flushed) log.warn({ signal }, 'second stop signal: state flushed, exiting now');
      else log.error({ signal }, 'second stop signal: exiting now; the state could NOT be flushed');
      finish(1);
      return;
    }
    stopping = true;
    log.info({ signal }, 'stopping');
    const watchdog = setTimeout(() => {
      const flushed = tryFlush(opts.flushSync, log);
      log.error(
        { graceMs, flushed },
        flushed
          ? `did not stop within ${graceMs} ms; state flushed, exiting anyway`
          : `did not stop within ${graceMs} ms and the state could NOT be flushed; exiting`,
      );
      finish(1);
    }, graceMs);
    opts.close().then(
      (result) => {
        clearTimeout(watchdog);
        if (!reportsFlushed(result)) {
          log.error('stopped, but the state could NOT be flushed: counts since the last successful flush are lost');
          finish(1);
        } else {
          finish(0);
        }
      },
      (err: unknown) => {
        clearTimeout(watchdog);
        const flushed = tryFlush(opts.flushSync, log);
        log.error({ err, flushed }, flushed ? 'stop failed; state flushed' : 'stop failed and the state could NOT be flushed');
        finish(1);
      },
    );
  };
}

/**
 * For apps with nothing to reload: SIGHUP (also what a closed terminal sends) is logged, not fatal, as
 * its default action would end the process.
 */
export function keepRunningOnHangup(log: Logger): void {
  process.on('SIGHUP', () => log.info('SIGHUP: nothing to reload; still running'));
}

export function onStopSignals(stop: (signal: string) => void): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stop(signal));
}

/** An error that says the reader of stdout/stderr is gone (closed terminal, `| head`), not a bug. */
export function isOutputGone(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException | null;
  return (
    e !== null &&
    typeof e === 'object' &&
    typeof e.code === 'string' &&
    OUTPUT_GONE_CODES.has(e.code) &&
    (e.syscall === 'write' || e.code === 'ERR_STREAM_DESTROYED')
  );
}

/**
 * A bug that escaped every handler: log it once, flush, exit 1 (the launcher or systemd restarts). Never
 * loops: a second exception while handling the first exits at once, and a write error on a closed
 * terminal or pipe is not a crash at all (logging goes through a sink that turns itself off).
 */
export function installCrashGuard(log: Logger, flushSync?: () => unknown, exit: Exit = (code) => process.exit(code)): void {
  let crashing = false;
  process.on('uncaughtException', (err) => {
    if (isOutputGone(err)) return;
    if (crashing) {
      exit(1);
      return;
    }
    crashing = true;
    try {
      log.fatal({ err }, 'uncaught exception: flushing state and exiting');
    } catch {
      // logging must not stop the exit
    }
    tryFlush(flushSync, log);
    exit(1);
  });
}
