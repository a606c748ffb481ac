import type { ChildProcess } from 'node:child_process';

/**
 * Child processes a test started (trackers, suites, redis-server) are killed when the test process ends, even
 * when a test failed before its cleanup ran. A runner stopped by a signal skips 'exit' hooks, so the usual stop
 * signals kill the children first and then end this process with the same signal.
 */
const live = new Set<ChildProcess>();

function killAll(): void {
  for (const c of live) {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(sig, () => {
    killAll();
    process.kill(process.pid, sig);
  });
}

/** Kill `child` if it is still running when the test process ends; forgotten once it exits. */
export function reapAtExit(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}
