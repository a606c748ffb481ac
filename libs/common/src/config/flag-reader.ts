/**
 * The one command-line reader of every app. It knows flag names and whether they take a value; what a value
 * means is the app's business (see value-parsers.ts). Accepted forms: `--name value`, `--name=value`,
 * `-x value`, `-xvalue`; `--` ends the options (no app takes positional arguments). Occurrences come back in
 * command-line order, so an app that reads left to right (the tracker's `-i` before `-p`, `-f` at its
 * position) can, and a repeatable flag keeps every value. Mistakes are ConfigErrors worded the same in every
 * app: `unknown option --porrt (did you mean --port?)`, `option -p: needs a value`.
 */
import { quote, unknownNameMessage } from '../cli-errors.js';
import { ConfigError, parseAt } from './config-error.js';

export interface FlagDef {
  /** Short (`-p`) and long (`--state-file`) names. */
  readonly flags: readonly string[];
  readonly takesValue: boolean;
}

export interface FlagSpec<D extends FlagDef> {
  readonly defs: readonly D[];
  /** Names that print the help text, wherever they appear (`-h`, `--help`). */
  readonly help?: readonly string[];
  readonly version?: readonly string[];
  /** Names recognised but refused, with the reason (a feature of the original program we do not have). */
  readonly unsupported?: ReadonlyMap<string, string>;
}

export interface FlagUse<D extends FlagDef> {
  readonly def: D;
  /** The name as typed. */
  readonly name: string;
  /** '' for a flag without value. */
  readonly value: string;
  /** `option --name`, for error messages. */
  readonly where: string;
}

export type FlagRead<D extends FlagDef> =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'flags'; readonly uses: readonly FlagUse<D>[] };

function splitArg(arg: string): { name: string; inline: string | undefined } {
  if (arg.startsWith('--')) {
    const eq = arg.indexOf('=');
    return eq < 0 ? { name: arg, inline: undefined } : { name: arg.slice(0, eq), inline: arg.slice(eq + 1) };
  }
  return { name: arg.slice(0, 2), inline: arg.length > 2 ? arg.slice(2) : undefined };
}

function fail(where: string, problem: string): never {
  throw new ConfigError(`${where}: ${problem}`);
}

/** Flag names of a spec, for lookups and "did you mean". */
class FlagIndex<D extends FlagDef> {
  readonly byName: ReadonlyMap<string, D>;
  readonly known: readonly string[];
  constructor(readonly spec: FlagSpec<D>) {
    this.byName = new Map(spec.defs.flatMap((d) => d.flags.map((f) => [f, d] as const)));
    this.known = [...this.byName.keys(), ...(spec.help ?? []), ...(spec.version ?? [])];
  }
  isHelp(arg: string): boolean {
    return this.spec.help?.includes(arg) === true;
  }
  isVersion(arg: string): boolean {
    return this.spec.version?.includes(arg) === true;
  }
}

/** Help and version win wherever they appear (even after a bad value), as a user asking for help expects. */
function findInfoRequest<D extends FlagDef>(argv: readonly string[], index: FlagIndex<D>): 'help' | 'version' | null {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (index.isHelp(arg)) return 'help';
    if (index.isVersion(arg)) return 'version';
    if (index.byName.get(arg)?.takesValue === true) i++;
  }
  return null;
}

function unexpected(argv: readonly string[], i: number): never {
  const arg = argv[i]!;
  if (arg === '--') fail('command line', `unexpected argument ${quote(argv[i + 1]!)}`);
  fail('command line', `unexpected argument ${quote(arg)} (options start with '-')`);
}

/** Reads `argv` against `spec`. Throws ConfigError for an unknown option, a missing value or a stray argument. */
export function readFlags<D extends FlagDef>(argv: readonly string[], spec: FlagSpec<D>): FlagRead<D> {
  const index = new FlagIndex(spec);
  const info = findInfoRequest(argv, index);
  if (info !== null) return { kind: info };
  const uses: FlagUse<D>[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      if (i + 1 < argv.length) unexpected(argv, i);
      break;
    }
    if (!arg.startsWith('-') || arg === '-') unexpected(argv, i);
    const { name, inline } = splitArg(arg);
    const where = `option ${name}`;
    const unsupported = spec.unsupported?.get(name);
    if (unsupported !== undefined) fail(where, unsupported);
    const def = index.byName.get(name);
    if (def === undefined) throw new ConfigError(unknownNameMessage(name.startsWith('--') ? name : arg, index.known));
    if (!def.takesValue) {
      if (inline === undefined) uses.push({ def, name, value: '', where });
      else if (name.startsWith('--')) fail('command line', `option ${name} takes no value`);
      // `-hv`: not a short flag followed by a value, since this flag takes none
      else throw new ConfigError(unknownNameMessage(arg, index.known));
      continue;
    }
    let value = inline;
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) fail(where, 'needs a value');
      // `-w --open` is a forgotten value, not a file called "--open"
      if (value.startsWith('-') && (index.byName.has(splitArg(value).name) || index.isHelp(value))) {
        fail(where, `needs a value (got option ${quote(value)})`);
      }
    }
    if (value === '') fail(where, 'needs a non-empty value');
    uses.push({ def, name, value, where });
  }
  return { kind: 'flags', uses };
}

/** `--name` flags from a record of names to "takes a value", for apps with long options only. */
export function longFlags<K extends string>(takesValue: Readonly<Record<K, boolean>>): Readonly<Record<K, FlagDef>> {
  const out = {} as Record<K, FlagDef>;
  for (const key of Object.keys(takesValue) as K[]) out[key] = { flags: [`--${key}`], takesValue: takesValue[key] };
  return out;
}

/** The values of a read command line by flag: the last one wins, unless the app asks for all of them. */
export class FlagValues<D extends FlagDef> {
  constructor(private readonly uses: readonly FlagUse<D>[]) {}

  has(def: D): boolean {
    return this.uses.some((u) => u.def === def);
  }

  /** The last value of `def`, parsed; undefined when not given. Errors name the flag. */
  last<T>(def: D, parse: (value: string) => T): T | undefined {
    const use = this.uses.findLast((u) => u.def === def);
    return use === undefined ? undefined : parseAt(use.where, use.value, parse);
  }

  /** Every value of a repeatable flag, in order. */
  all<T>(def: D, parse: (value: string) => T): T[] {
    return this.uses.filter((u) => u.def === def).map((u) => parseAt(u.where, u.value, parse));
  }
}
