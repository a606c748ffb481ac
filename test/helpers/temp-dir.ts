import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh temp dir and the function that removes it (call it in an after hook). */
export function makeTempDir(prefix = 'tracker-it-'): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
