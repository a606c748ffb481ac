import type { EventEmitter } from 'node:events';

/**
 * Waiting for events of bittorrent-tracker's Client (or any emitter) with a deadline, so a tracker that
 * never answers fails the test with the events that did arrive instead of hanging it.
 */
export function nextEvent<T = unknown>(
  emitter: EventEmitter,
  name: string,
  pred: (v: T) => boolean = () => true,
  timeoutMs = 5000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const seen: string[] = [];
    const onEvent = (v: T): void => {
      if (!pred(v)) return;
      cleanup();
      resolve(v);
    };
    const onOther =
      (label: string) =>
      (v: unknown): void => {
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

interface TrackerClient {
  on(event: string, fn: (arg: unknown) => void): void;
  complete(opts: { left: number }): void;
  destroy(cb?: () => void): void;
}
type TrackerClientCtor = new (opts: { infoHash: string; peerId: string; announce: string[]; port: number }) => TrackerClient;

/**
 * A completion announced by an independent client: bittorrent-tracker's Client (no type declarations,
 * so it is loaded through a variable specifier and typed here).
 */
export async function completeWithClient(announceUrl: string, infoHash: string, port: number): Promise<void> {
  const spec = 'bittorrent-tracker/client';
  const Client = ((await import(spec)) as { default: TrackerClientCtor }).default;
  const peerId = Buffer.from(`-BT0001-${String(port).padStart(12, '0')}`).toString('hex');
  const client = new Client({ infoHash, peerId, announce: [announceUrl], port });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('tracker client: no answer in 10 s')), 10_000);
      client.on('update', () => {
        clearTimeout(timer);
        resolve();
      });
      client.on('warning', (e) => {
        clearTimeout(timer);
        reject(e as Error);
      });
      client.on('error', (e) => {
        clearTimeout(timer);
        reject(e as Error);
      });
      client.complete({ left: 0 });
    });
  } finally {
    await new Promise<void>((r) => client.destroy(() => r()));
  }
}
