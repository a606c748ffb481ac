/**
 * The suite's name and version, read once from package.json (the one place the version is written),
 * for --version, the tracker's /stats?mode=version and the torrents' `created by`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const SUITE_NAME = 'release-tracker-suite';

/** The suite's package.json (this file runs from dist/libs/common/src/). */
export const PACKAGE_JSON = fileURLToPath(new URL('../../../../package.json', import.meta.url));

/** `version` from package.json, or 'unknown' when it cannot be read (a copied dist/ without it). */
export const SUITE_VERSION: string = readPackageVersion(PACKAGE_JSON);

export function readPackageVersion(file: string, readFile: (f: string) => string = (f) => readFileSync(f, 'utf8')): string {
  try {
    const pkg = JSON.parse(readFile(file)) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
