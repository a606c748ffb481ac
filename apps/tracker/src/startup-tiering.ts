/**
 * The first function V8 hands to its optimizing compiler (TurboFan) pages ~4 MiB of the node binary into the
 * process for good. Start-up alone is hot enough for that (node's module resolver over ~90 modules, the
 * access-list parser over 1,000 lines), and so are the functions it leaves hot, at their next call. A tracker
 * with a few announces a second (a download site's) gains nothing from optimized request code: the interpreter
 * serves those in a fraction of a percent of a core. So bin/tracker starts node with the compiler off, and it
 * is turned on once the tracker is busy, i.e. serves BUSY_PER_SECOND requests within one second: from then on
 * functions tier up as with node's defaults (V8 keeps counting how hot each one is while the compiler is off).
 * Once on, it stays on: its memory is not given back anyway.
 */
export const STARTUP_FLAG = '--no-opt';

/** Requests (HTTP requests + UDP packets) within one second at which the optimizing compiler is turned on. */
export const BUSY_PER_SECOND = 100;

export interface RequestCounts {
  readonly tcpRequests: number;
  readonly udpPackets: number;
}

/** Requests served so far, over both transports. */
function served(c: RequestCounts): number {
  return c.tcpRequests + c.udpPackets;
}

export interface TieringDeps {
  readonly execArgv?: readonly string[];
  /** v8.setFlagsFromString by default (node:v8 is loaded only then: an idle tracker does not need it). */
  readonly setFlags?: (flags: string) => void;
  readonly every?: (fn: () => void, ms: number) => { stop(): void };
}

const defaultSetFlags = (flags: string): void => process.getBuiltinModule('node:v8').setFlagsFromString(flags);

const defaultEvery = (fn: () => void, ms: number): { stop(): void } => {
  const t = setInterval(fn, ms);
  t.unref();
  return { stop: () => clearInterval(t) };
};

/**
 * Checks the counts once a second (nothing on the request path) and turns TurboFan on at the first check that
 * finds BUSY_PER_SECOND requests served since the one before. Does nothing and returns false unless bin/tracker's
 * flag is on the command line, so node run by hand with --no-turbofan keeps it.
 */
export function optimizeWhenBusy(counts: RequestCounts, deps: TieringDeps = {}): boolean {
  if (!(deps.execArgv ?? process.execArgv).includes(STARTUP_FLAG)) return false;
  const setFlags = deps.setFlags ?? defaultSetFlags;
  let last = served(counts);
  const timer = (deps.every ?? defaultEvery)(() => {
    const now = served(counts);
    const busy = now - last >= BUSY_PER_SECOND;
    last = now;
    if (!busy) return;
    timer.stop();
    // V8 reads this flag each time it decides whether a hot function gets optimized; it implies no other flag
    setFlags('--turbofan');
  }, 1000);
  return true;
}
