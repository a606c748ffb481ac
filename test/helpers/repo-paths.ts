import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/test/helpers/repo-paths.js -> repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** One of the repository's launchers: bin('tracker') -> <root>/bin/tracker. */
export function bin(name: string): string {
  return path.join(REPO_ROOT, 'bin', name);
}
