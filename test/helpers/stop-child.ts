import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';

/**
 * Sends `signal` to the child and resolves once it has exited, with SIGKILL after `killAfterMs` should it not
 * go. A child that has already exited resolves at once.
 */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', killAfterMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  const t = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  await exited;
  clearTimeout(t);
}
