import type { Logger } from '../../../libs/common/src/log.js';
import { explainListenError } from '../../../libs/common/src/startup-error.js';

/**
 * One app inside the suite process. Starting fails as a whole: a port held by another program or an
 * unusable folder stops the suite at once with a message (exit 2 for what a restart cannot fix), instead
 * of a log line every few seconds while the other apps run half a suite. A crash of the whole process is
 * the launcher's business (bin/suite restarts it).
 */
export interface AppHandle {
  readonly name: string;
  /** Resolves with what the app's close() said (the tracker reports whether its state was flushed). */
  stop(): Promise<unknown>;
}

export async function startApp(
  name: string,
  log: Logger,
  setting: string,
  start: () => Promise<{ close(): Promise<unknown> }>,
): Promise<AppHandle> {
  let running: { close(): Promise<unknown> };
  try {
    running = await start();
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause;
    throw explainListenError((err as NodeJS.ErrnoException).code === undefined && cause !== undefined ? cause : err, name, setting);
  }
  log.debug({ app: name }, `${name} started`);
  let stopping: Promise<unknown> | null = null;
  return {
    name,
    stop: () => (stopping ??= running.close()),
  };
}
