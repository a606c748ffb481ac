/**
 * The command line of a tracker on loopback: both listeners on 127.0.0.1 (port 0, from the kernel, unless
 * given), this access list, pid file and state file. The process tests and the bench start ./bin/tracker
 * with it and append what their case is about.
 */
export interface LoopbackTrackerFiles {
  /** The -w access list. */
  readonly whitelist: string;
  readonly stateFile: string;
  /** 'none' (no pid file) unless given. */
  readonly pidFile?: string;
  /** The HTTP and UDP port; 0 (from the kernel) unless given. */
  readonly port?: number;
}

export function loopbackTrackerArgs(o: LoopbackTrackerFiles): string[] {
  const port = String(o.port ?? 0);
  return ['-i', '127.0.0.1', '-p', port, '-P', port, '-w', o.whitelist, '--pid-file', o.pidFile ?? 'none', '--state-file', o.stateFile];
}
