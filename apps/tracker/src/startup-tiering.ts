/**
 * The first function V8 hands to its optimizing compiler (TurboFan) pages ~4 MiB of the node binary into the
 * process for good. Start-up alone is hot enough for that (node's module resolver over ~90 modules, the
 * access-list parser over 1,000 lines), and so are the functions it leaves hot, at their next call: an idle or
 * lightly used tracker would carry the compiler without ever running optimized request code. So bin/tracker
 * starts node with the compiler off, and it is turned on once the tracker has real work: from then on functions
 * tier up as with node's defaults (V8 keeps counting how hot each one is while the compiler is off).
 */
export const STARTUP_FLAG = '--no-opt';

/** Requests (HTTP requests + UDP packets) since start after which the optimizing compiler is turned on. */
export const BUSY_REQUESTS = 1000;

export interface RequestCounts {
  readonly tcpRequests: number;
  readonly udpPackets: number;
}

export function isBusy(c: RequestCounts, threshold: number = BUSY_REQUESTS): boolean {
  return c.tcpRequests + c.udpPackets >= threshold;
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
 * finds the tracker busy. Does nothing and returns false unless bin/tracker's flag is on the command line, so
 * node run by hand with --no-turbofan keeps it.
 */
export function optimizeWhenBusy(counts: RequestCounts, deps: TieringDeps = {}): boolean {
  if (!(deps.execArgv ?? process.execArgv).includes(STARTUP_FLAG)) return false;
  const setFlags = deps.setFlags ?? defaultSetFlags;
  const timer = (deps.every ?? defaultEvery)(() => {
    if (!isBusy(counts)) return;
    timer.stop();
    // V8 reads this flag each time it decides whether a hot function gets optimized; it implies no other flag
    setFlags('--turbofan');
  }, 1000);
  return true;
}
