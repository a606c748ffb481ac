import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { ConfigError } from '../../../libs/common/src/config/config-error.js';
import { DEFAULTS, parseSuiteConfig, splitArgs } from './suite-config.js';

function readFile(files: Record<string, string>) {
  return (p: string): string => {
    const text = files[p];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
    return text;
  };
}

function plan(argv: string[], env: Record<string, string>, files: Record<string, string> = {}) {
  const r = parseSuiteConfig(argv, { env, cwd: '/srv', readFile: readFile(files) });
  assert.ok(r.kind === 'config');
  return r.config;
}

function message(argv: string[], env: Record<string, string>, files: Record<string, string> = {}): string {
  try {
    parseSuiteConfig(argv, { env, cwd: '/srv', readFile: readFile(files) });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  return assert.fail(`no error for ${argv.join(' ')}`);
}

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
  for (const text of ['--title "Acme', "--title 'Acme", 'x\\']) assert.throws(() => splitArgs(text), ConfigError, text);
});

test('splitArgs agrees with /bin/sh on quoted words', () => {
  const samples = ['--title "Acme Downloads" --port 8081', 'a \'b  c\' "d\\"e" f\\ g', '--x "\\\\" \'\\\'', '"a"\'b\'c'];
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
  fc.assert(
    fc.property(fc.array(fc.string({ maxLength: 20 }), { maxLength: 8 }), (args) => {
      assert.deepEqual(splitArgs(args.map(shQuote).join(' ')), args);
    }),
    { seed: 42, numRuns: 2000 },
  );
});

test('property: any text is split or refused with ConfigError, nothing else', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => {
      try {
        const out = splitArgs(text);
        assert.ok(Array.isArray(out));
      } catch (err) {
        assert.ok(err instanceof ConfigError);
      }
    }),
    { seed: 42, numRuns: 5000 },
  );
});

test('unknown suite options are named with a suggestion', () => {
  assert.throws(
    () => parseSuiteConfig(['--confg', 'x'], { env: {}, cwd: '/nonexistent' }),
    /^ConfigError: unknown option --confg \(did you mean --config\?\)$/,
  );
  assert.throws(() => parseSuiteConfig(['extra'], { env: {}, cwd: '/nonexistent' }), /unexpected argument 'extra'/);
});

test('the plan: config file under the environment, each app configured, all deep-frozen', () => {
  const p = plan([], { STATS_PORT: '9000', PUBLISHER_ARGS: '--private' }, { '/srv/suite.env': 'STATS_PORT=1\nPUBLIC_HOST=dl.example\n' });
  assert.equal(p.configFile, '/srv/suite.env');
  assert.equal(p.stats.port, 9000, 'the environment wins over the file');
  assert.equal(p.publisher.announceHttpUrl, 'http://dl.example:6969/announce');
  assert.deepEqual(p.stats.announceUrls, ['http://dl.example:6969/announce', 'udp://dl.example:6969/announce']);
  assert.equal(p.publisher.private, true);
  assert.equal(p.publisher.hashThreads, DEFAULTS.publisherHashThreads);
  assert.deepEqual(p.tracker.tcp, [{ host: '0.0.0.0', port: 6969 }]);
  for (const nested of [p, p.env, p.settings, p.tracker, p.tracker.tcp[0], p.stats.webSeeds, p.publisher])
    assert.ok(Object.isFrozen(nested));
  assert.equal(plan(['--config', 'other.env'], {}, { '/srv/other.env': 'LOG_LEVEL=warn\n' }).logLevel, 'warn');
  assert.equal(plan([], {}).configFile, null, 'no suite.env: none read');
  assert.equal(parseSuiteConfig(['--config', 'x', '--help'], { env: {}, cwd: '/srv' }).kind, 'help');
});

test('suite error wording: unknown option, bad value, missing value, app flags and files', () => {
  assert.equal(message(['--confg', 'x'], {}), 'unknown option --confg (did you mean --config?)');
  assert.equal(message(['--config'], {}), 'option --config: needs a value');
  assert.equal(
    message([], { LOG_LEVEL: 'loud' }),
    "environment LOG_LEVEL: 'loud' is not a log level (one of fatal, error, warn, info, debug, trace, silent)",
  );
  assert.equal(message([], { TRACKER_PORT: 'x' }), "environment TRACKER_PORT: 'x' is not a port number (0-65535)");
  assert.equal(message([], { STATS_ARGS: '--porrt 1' }), 'STATS_ARGS: unknown option --porrt (did you mean --port?)');
  assert.equal(message([], { TRACKER_ARGS: '--interval 5' }), 'TRACKER_ARGS: option --interval: 5 is out of range (expected 60-86400)');
  assert.equal(message([], { PUBLISHER_ARGS: '--help' }), 'PUBLISHER_ARGS: --help is not an app flag inside the suite');
  assert.match(message([], { STATS_ARGS: '--title "Acme' }), /^STATS_ARGS: unterminated " quote/);
  assert.equal(message(['--config', 'none.env'], {}), "option --config: cannot read config file 'none.env': ENOENT");
  assert.equal(message([], { SUITE_CONFIG: '/etc/x.env' }), "environment SUITE_CONFIG: cannot read config file '/etc/x.env': ENOENT");
  assert.equal(
    message([], {}, { '/srv/suite.env': 'TRACKER_PROT=1\n' }),
    '/srv/suite.env line 1: unknown setting TRACKER_PROT (did you mean TRACKER_PORT?)',
  );
});
