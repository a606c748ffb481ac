/** Waiting in tests: always with a deadline, so a condition that never comes fails with what was awaited. */

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

type Maybe<T> = T | undefined | null | false;

async function poll<T>(what: string, fn: () => Promise<Maybe<T>> | Maybe<T>, timeoutMs: number, stepMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(stepMs);
  }
}

/** Polls `cond` every stepMs until it holds. */
export async function waitUntil(cond: () => boolean | Promise<boolean>, timeoutMs = 5000, stepMs = 25, what = 'condition'): Promise<void> {
  await poll(what, cond, timeoutMs, stepMs);
}

/** Polls `fn` every 50 ms until it returns a truthy value, and resolves with it. */
export function waitFor<T>(what: string, fn: () => Promise<Maybe<T>> | Maybe<T>, timeoutMs = 20_000): Promise<T> {
  return poll(what, fn, timeoutMs, 50);
}

/** Polls `check` every stepMs until it passes, failing the test after ms; resolves with the milliseconds it took. */
export async function within(ms: number, what: string, check: () => Promise<boolean>, stepMs = 25): Promise<number> {
  const t0 = Date.now();
  await poll(`${what} (within ${ms} ms)`, check, ms, stepMs);
  return Date.now() - t0;
}
