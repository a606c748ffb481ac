import { createRequire } from 'node:module';
import type { Redis, RedisOptions } from 'ioredis';
import type { StoreSpec } from './store-url.js';

export interface RedisLinkOptions {
  readonly spec: Extract<StoreSpec, { kind: 'redis' }>;
  readonly password: string | null;
  readonly commandTimeoutMs?: number;
  /** The pub/sub channel the peer changes travel on. */
  readonly channel: string;
}

export interface RedisLinkEvents {
  /** A message on the channel (ours included). */
  message(msg: Buffer): void;
  /** The subscription came back after a reconnect: what was published meanwhile was missed. */
  resubscribed(): void;
  error(err: unknown, msg: string): void;
}

/** The two connections a cluster member holds: commands, and the subscription (which can run nothing else). */
export interface RedisLinks {
  readonly cmd: Redis;
  ready(): boolean;
  /** Publishes every message in one pipeline; throws on the first error. */
  publish(msgs: readonly Buffer[]): Promise<void>;
  disconnect(): void;
}

/**
 * Opens both connections. Commands fail fast (no offline queue, a timeout, no retries) so an exchange never
 * waits on an absent Redis; the subscriber queues and retries, since it only listens.
 */
export function openRedisLinks(o: RedisLinkOptions, on: RedisLinkEvents): RedisLinks {
  const redisOptions: RedisOptions = {
    host: o.spec.host,
    port: o.spec.port,
    db: o.spec.db,
    ...(o.spec.username !== null ? { username: o.spec.username } : {}),
    ...(o.password !== null ? { password: o.password } : {}),
    ...(o.spec.tls ? { tls: { servername: o.spec.host } } : {}),
    connectTimeout: 2000,
    commandTimeout: o.commandTimeoutMs ?? 1000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(100 * times, 1000),
    lazyConnect: false,
  };
  // loaded here, not imported at the top: ioredis adds ~15 MiB to the resident memory of a tracker that
  // never uses a shared store
  const { Redis } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
  const r = new Redis(redisOptions);
  const sub = new Redis({ ...redisOptions, enableOfflineQueue: true, commandTimeout: undefined, maxRetriesPerRequest: null });
  sub.on('messageBuffer', (_ch: Buffer, msg: Buffer) => on.message(msg));
  let subReadyOnce = false;
  sub.on('ready', () => {
    if (subReadyOnce) on.resubscribed();
    subReadyOnce = true;
  });
  sub.subscribe(o.channel).catch((err: unknown) => on.error(err, 'redis subscribe failed'));
  r.on('error', (err) => on.error(err, 'redis connection error'));
  sub.on('error', (err) => on.error(err, 'redis subscriber connection error'));
  return {
    cmd: r,
    ready: () => r.status === 'ready',
    async publish(msgs) {
      const p = r.pipeline();
      for (const m of msgs) p.publish(o.channel, m);
      const res = await p.exec();
      for (const [err] of res ?? []) if (err) throw err;
    },
    disconnect() {
      r.disconnect();
      sub.disconnect();
    },
  };
}
