import type { Logger } from '../../../libs/common/src/log.js';

/**
 * One app inside the suite process. If it fails to start (port taken, folder unreadable...), that is
 * reported and retried with backoff while the other apps keep running; a crash of the whole process is the
 * launcher's business (bin/suite restarts it).
 */
export interface AppHandle {
  stop(): Promise<void>;
}

const FIRST_RETRY_MS = 2000;
const MAX_RETRY_MS = 60000;

export async function superviseApp(name: string, log: Logger, start: () => Promise<{ close(): Promise<void> }>): Promise<AppHandle> {
  let running: { close(): Promise<void> } | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let delay = FIRST_RETRY_MS;

  async function attempt(): Promise<void> {
    if (stopped) return;
    try {
      running = await start();
      delay = FIRST_RETRY_MS;
    } catch (err) {
      log.error({ app: name, err, retryInMs: delay }, `${name} failed to start; retrying`);
      timer = setTimeout(() => void attempt(), delay);
      delay = Math.min(delay * 2, MAX_RETRY_MS);
    }
  }

  await attempt();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (running) await running.close();
    },
  };
}
