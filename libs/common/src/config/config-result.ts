/**
 * What every app's config parser takes and returns. The parser is pure: the command line, the environment and
 * (for config files) a file reader are passed in, so the same function serves the app's main, the suite and
 * the tests.
 */
export interface ConfigInput {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Relative paths resolve against it. */
  readonly cwd: string;
  /** Reads a config file named on the command line (throws like fs.readFileSync). */
  readonly readFile?: (path: string) => string;
  /** Shown by --version; read from the suite's package.json when omitted. */
  readonly version?: string;
}

/** A deep-frozen config to run with, or a text for stdout after which the app exits 0. */
export type ConfigResult<T> =
  | { readonly kind: 'config'; readonly config: T }
  | { readonly kind: 'help'; readonly text: string }
  | { readonly kind: 'version'; readonly text: string };
