import { execFileSync } from 'node:child_process';

/** The full path of a command on PATH, or null when it is not installed (tests of optional Debian tools skip then). */
export function commandPath(cmd: string): string | null {
  try {
    return (
      execFileSync('sh', ['-c', `command -v ${cmd}`])
        .toString()
        .trim() || null
    );
  } catch {
    return null;
  }
}
