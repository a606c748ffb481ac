import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { readSuiteInput, splitArgs, SuiteConfigError } from './suite-config.js';

test('splitArgs: quotes and backslashes as sh splits words', () => {
  const rows: Array<[string, string[]]> = [
    ['', []],
    ['  --port 1  ', ['--port', '1']],
    ['--title "Acme Downloads"', ['--title', 'Acme Downloads']],
    ["--title 'Acme Downloads'", ['--title', 'Acme Downloads']],
    ['--title Acme\\ Downloads', ['--title', 'Acme Downloads']],
    ['--title "say \\"hi\\" \\\\ \\$x"', ['--title', 'say "hi" \\ $x']],
    ["--title 'a\\b'", ['--title', 'a\\b']],
    ['--title "a\\b"', ['--title', 'a\\b']],
    ['--x=""', ['--x=']],
    ["''", ['']],
    ['a"b c"\'d e\'f', ['ab cd ef']],
    ['a\tb\nc', ['a', 'b', 'c']],
  ];
  for (const [text, want] of rows) assert.deepEqual(splitArgs(text), want, JSON.stringify(text));
});

test('splitArgs: unterminated quotes and a trailing backslash are errors', () => {
  for (const text of ['--title "Acme', "--title 'Acme", 'x\\']) assert.throws(() => splitArgs(text), SuiteConfigError, text);
});

test('splitArgs agrees with /bin/sh on quoted words', () => {
  const samples = ['--title "Acme Downloads" --port 8081', "a 'b  c' \"d\\\"e\" f\\ g", '--x "\\\\" \'\\\'', '"a"\'b\'c'];
  for (const text of samples) {
    const sh = spawnSync('/bin/sh', ['-c', `printf '%s\\0' ${text}`], { encoding: 'utf8' });
    assert.equal(sh.status, 0, text);
    assert.deepEqual(splitArgs(text), sh.stdout.split('\0').slice(0, -1), text);
  }
});

/** How a shell user would quote one argument. */
function shQuote(arg: string): string {
  return `'${arg.replace(/'/g, "'\\''")}'`;
}

test('property: quoting arguments and splitting them gives them back', () => {
  fc.assert(fc.property(fc.array(fc.string({ maxLength: 20 }), { maxLength: 8 }), (args) => {
    assert.deepEqual(splitArgs(args.map(shQuote).join(' ')), args);
  }), { seed: 42, numRuns: 2000 });
});

test('property: any text is split or refused with SuiteConfigError, nothing else', () => {
  fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => {
    try {
      const out = splitArgs(text);
      assert.ok(Array.isArray(out));
    } catch (err) {
      assert.ok(err instanceof SuiteConfigError);
    }
  }), { seed: 42, numRuns: 5000 });
});

test('unknown suite options are named with a suggestion', () => {
  assert.throws(() => readSuiteInput(['--confg', 'x'], {}, '/nonexistent'), /^SuiteConfigError: unknown option --confg \(did you mean --config\?\)$/);
  assert.throws(() => readSuiteInput(['extra'], {}, '/nonexistent'), /unexpected argument extra/);
});
