import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ConfigError } from './config-error.js';
import { FlagValues, longFlags, readFlags, type FlagDef, type FlagSpec } from './flag-reader.js';

const PORT: FlagDef = { flags: ['-p', '--port'], takesValue: true };
const HOST: FlagDef = { flags: ['--host'], takesValue: true };
const ONCE: FlagDef = { flags: ['--once'], takesValue: false };
const OPEN: FlagDef = { flags: ['-o'], takesValue: false };
const SPEC: FlagSpec<FlagDef> = {
  defs: [PORT, HOST, ONCE, OPEN],
  help: ['-h', '--help'],
  version: ['--version'],
  unsupported: new Map([['-s', 'live sync is not supported']]),
};

function uses(argv: string[]): Array<[string, string]> {
  const r = readFlags(argv, SPEC);
  assert.equal(r.kind, 'flags');
  return r.kind === 'flags' ? r.uses.map((u) => [u.def.flags.at(-1)!, u.value]) : [];
}

function error(argv: string[]): string {
  try {
    readFlags(argv, SPEC);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.exitCode, 2);
    return err.message;
  }
  return assert.fail(`no error for ${JSON.stringify(argv)}`);
}

test('accepted forms, in command-line order, repeats kept', () => {
  const rows: Array<[string[], Array<[string, string]>]> = [
    [[], []],
    [['--port', '1'], [['--port', '1']]],
    [['--port=1'], [['--port', '1']]],
    [['--port=a=b'], [['--port', 'a=b']]],
    [['-p', '1'], [['--port', '1']]],
    [['-p1'], [['--port', '1']]],
    [
      ['--once', '-o', '--host', 'h', '-p', '2', '--port', '3'],
      [
        ['--once', ''],
        ['-o', ''],
        ['--host', 'h'],
        ['--port', '2'],
        ['--port', '3'],
      ],
    ],
    [['--host', '-'], [['--host', '-']]],
    [['--host', '-x'], [['--host', '-x']]],
    [['--once', '--'], [['--once', '']]],
  ];
  for (const [argv, want] of rows) assert.deepEqual(uses(argv), want, JSON.stringify(argv));
});

test('help and version win wherever they appear, but not as a value or after --', () => {
  assert.equal(readFlags(['--bogus', '-h'], SPEC).kind, 'help');
  assert.equal(readFlags(['--port', '99999999', '--help'], SPEC).kind, 'help');
  assert.equal(readFlags(['--version'], SPEC).kind, 'version');
  assert.equal(error(['--host', '--help']), "option --host: needs a value (got option '--help')");
  assert.equal(error(['--', '--help']), "command line: unexpected argument '--help'");
});

test('hostile rows: each mistake named, with the same wording in every app', () => {
  const rows: Array<[string[], string]> = [
    [['--prot', '1'], 'unknown option --prot (did you mean --port?)'],
    [['--hots=x'], 'unknown option --hots (did you mean --host?)'],
    [['-x'], 'unknown option -x'],
    [['-ox'], 'unknown option -ox'],
    [['--\u001b[31m'], 'unknown option "--\\u001b[31m"'],
    [['--port'], 'option --port: needs a value'],
    [['-p'], 'option -p: needs a value'],
    [['--port', '--once'], "option --port: needs a value (got option '--once')"],
    [['--port', '-p1'], "option --port: needs a value (got option '-p1')"],
    [['--port='], 'option --port: needs a non-empty value'],
    [['--port', ''], 'option --port: needs a non-empty value'],
    [['--once=yes'], 'command line: option --once takes no value'],
    [['stray'], "command line: unexpected argument 'stray' (options start with '-')"],
    [['-'], "command line: unexpected argument '-' (options start with '-')"],
    [['a\nb'], 'command line: unexpected argument "a\\nb" (options start with \'-\')'],
    [['--', 'x'], "command line: unexpected argument 'x'"],
    [['-s', '1'], 'option -s: live sync is not supported'],
  ];
  for (const [argv, want] of rows) assert.equal(error(argv), want, JSON.stringify(argv));
});

test('FlagValues: last value wins, all() keeps repeats, errors name the flag', () => {
  const F = longFlags({ port: true, tag: true, once: false });
  const r = readFlags(['--port', '1', '--tag', 'a', '--port', '2', '--tag=b'], { defs: Object.values(F) });
  assert.ok(r.kind === 'flags');
  const f = new FlagValues(r.uses);
  assert.equal(f.last(F.port, Number), 2);
  assert.deepEqual(
    f.all(F.tag, (v) => v),
    ['a', 'b'],
  );
  assert.equal(f.has(F.once), false);
  assert.equal(f.last(F.once, String), undefined);
  assert.throws(
    () =>
      f.last(F.port, () => {
        throw new Error('bad');
      }),
    (e: unknown) => e instanceof ConfigError && e.message === 'option --port: bad',
  );
});

const token = fc.oneof(
  fc.constantFrom('--port', '-p', '--host', '--once', '-o', '-s', '--', '-', '-h', '--help', '--version', '--port=', '-p7', '--once=1'),
  fc.string({ maxLength: 12 }),
  fc.string({ maxLength: 8 }).map((s) => `--${s}`),
  fc.string({ maxLength: 8 }).map((s) => `-${s}`),
);

test('property: any argv is read or refused with ConfigError, nothing else', () => {
  fc.assert(
    fc.property(fc.array(token, { maxLength: 10 }), (argv) => {
      try {
        const r = readFlags(argv, SPEC);
        if (r.kind === 'flags') for (const u of r.uses) assert.ok(SPEC.defs.includes(u.def));
      } catch (err) {
        assert.ok(err instanceof ConfigError, String(err));
      }
    }),
    { seed: 42, numRuns: 5000 },
  );
});

test('property: written in any accepted form, flags and values read back in order', () => {
  const value = fc.string({ minLength: 1, maxLength: 12 }).filter((v) => !v.startsWith('-'));
  const use = fc.oneof(
    fc.record({ def: fc.constantFrom(PORT, HOST), value, style: fc.constantFrom('space', 'equals', 'short') }),
    fc.record({ def: fc.constantFrom(ONCE, OPEN), value: fc.constant(''), style: fc.constant('space') }),
  );
  fc.assert(
    fc.property(fc.array(use, { maxLength: 8 }), (list) => {
      const argv = list.flatMap(({ def, value: v, style }) => {
        const long = def.flags.find((n) => n.startsWith('--'));
        const short = def.flags.find((n) => !n.startsWith('--'));
        if (!def.takesValue) return [def.flags[0]!];
        if (style === 'equals' && long !== undefined) return [`${long}=${v}`];
        if (style === 'short' && short !== undefined) return [`${short}${v}`];
        return [def.flags[0]!, v];
      });
      const r = readFlags(argv, SPEC);
      assert.ok(r.kind === 'flags');
      assert.deepEqual(
        r.uses.map((u) => [u.def, u.value]),
        list.map((u) => [u.def, u.value]),
      );
    }),
    { seed: 42, numRuns: 2000 },
  );
});
