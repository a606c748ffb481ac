import { after, before } from 'node:test';
import { startRedis, type RedisServer } from './redis-server.js';
import type { TrackerProcess } from './tracker-process.js';

/**
 * One redis-server for a whole test file and the trackers the file runs against it: Redis starts before the
 * first test; after the last, the trackers are stopped first (so none is left retrying a vanished store),
 * then Redis. Call at the top level of a test file.
 */
export interface RedisTestbed {
  /** The server (available from the first test on, or after `ready` in another top-level hook). */
  readonly redis: RedisServer;
  /**
   * Resolves once the server runs. Node 20 runs a file's top-level before hooks concurrently, so a hook of
   * the file that needs Redis awaits this first.
   */
  readonly ready: Promise<RedisServer>;
  /** Trackers to stop after the last test. */
  readonly procs: TrackerProcess[];
  /** SIGTERM and the same server again (same port and dir); `redis` is the new one from then on. */
  restartRedis(): Promise<RedisServer>;
}

/** The log line a tracker writes once its Redis store is usable. */
export const STORE_CONNECTED = 'redis store connected: swarms and counts shared';

export function redisTestbed(redisArgs: readonly string[] = []): RedisTestbed {
  let server: RedisServer | undefined;
  const procs: TrackerProcess[] = [];
  let started!: (r: RedisServer) => void;
  let failed!: (e: unknown) => void;
  const ready = new Promise<RedisServer>((resolve, reject) => {
    started = resolve;
    failed = reject;
  });
  // a hook that awaits `ready` reports its own failure; this keeps the rejection from going unhandled
  ready.catch(() => {});
  before(async () => {
    try {
      server = await startRedis(redisArgs);
      started(server);
    } catch (e) {
      failed(e);
      throw e;
    }
  });
  after(async () => {
    for (const p of procs) await p.cleanup();
    await server?.stop();
  });
  return {
    get redis(): RedisServer {
      if (server === undefined) throw new Error('redis-server is not started yet (use it inside a hook or test)');
      return server;
    },
    procs,
    ready,
    async restartRedis() {
      const restarting = this.redis.restart();
      server = undefined;
      server = await restarting;
      return server;
    },
  };
}

/** Resolves once `p` logged that its Redis store is connected. */
export async function storeConnected(p: TrackerProcess, timeoutMs = 10000): Promise<void> {
  await p.waitForLog((r) => r.msg === STORE_CONNECTED, timeoutMs);
}
