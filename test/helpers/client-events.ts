import type { EventEmitter } from 'node:events';

/**
 * Waiting for events of bittorrent-tracker's Client (or any emitter) with a deadline, so a tracker that
 * never answers fails the test with the events that did arrive instead of hanging it.
 */
export function nextEvent<T = unknown>(emitter: EventEmitter, name: string, pred: (v: T) => boolean = () => true, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const seen: string[] = [];
    const onEvent = (v: T): void => {
      if (!pred(v)) return;
      cleanup();
      resolve(v);
    };
    const onOther = (label: string) => (v: unknown): void => {
      seen.push(`${label}: ${v instanceof Error ? v.message : JSON.stringify(v)}`);
    };
    const others = ['warning', 'error', 'update', 'scrape'].filter((n) => n !== name).map((n) => [n, onOther(n)] as const);
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`no '${name}' event within ${timeoutMs} ms; other events: ${seen.join(' | ') || 'none'}`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      emitter.off(name, onEvent);
      for (const [n, f] of others) emitter.off(n, f);
    };
    emitter.on(name, onEvent);
    for (const [n, f] of others) emitter.on(n, f);
  });
}

/** Collects 'peer' events ("ip:port" strings) for later assertions. */
export function collectPeers(emitter: EventEmitter): Set<string> {
  const peers = new Set<string>();
  emitter.on('peer', (addr: unknown) => {
    if (typeof addr === 'string') peers.add(addr);
  });
  return peers;
}

export async function waitUntil(cond: () => boolean | Promise<boolean>, timeoutMs = 5000, stepMs = 25, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
