import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ConfigError, parseAt } from './config-error.js';
import { logLevelFromEnv } from './log-env.js';
import {
  parseChoice,
  parseDuration,
  parseHost,
  parseIntIn,
  parseLogFormat,
  parseLogLevel,
  parsePath,
  parsePort,
  parseSize,
  parseText,
  parseUrl,
} from './value-parsers.js';

const HTTP = ['http:', 'https:'];

function problem(parse: () => unknown): string {
  try {
    parse();
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  return assert.fail('no error');
}

test('good values', () => {
  assert.equal(parsePort('0'), 0);
  assert.equal(parsePort('65535'), 65535);
  assert.equal(parseIntIn('60', 60, 100), 60);
  assert.equal(parseDuration('2.5', 0.1, 10), 2.5);
  assert.equal(parseDuration('10', 0.1, 10), 10);
  assert.equal(parseSize('512', 1, 2 ** 40), 512);
  assert.equal(parseSize('64K', 1, 2 ** 40), 65536);
  assert.equal(parseSize('16MiB', 1, 2 ** 40), 16 * 2 ** 20);
  assert.equal(parseSize('1g', 1, 2 ** 40), 2 ** 30);
  assert.equal(parseHost('dl.example.org'), 'dl.example.org');
  assert.equal(parseHost('[::1]'), '::1');
  assert.equal(parseHost('::'), '::');
  assert.equal(parseHost('127.0.0.1'), '127.0.0.1');
  assert.equal(parseUrl('https://x.example/a?b=1', HTTP), 'https://x.example/a?b=1');
  assert.equal(parseUrl('udp://t.example:6969/announce', ['udp:']), 'udp://t.example:6969/announce');
  assert.equal(parseUrl('http://u:p@x/', HTTP), 'http://u:p@x/');
  assert.equal(parseLogLevel('silent'), 'silent');
  assert.equal(parseLogFormat('auto'), 'auto');
  assert.equal(parsePath('a b/c'), 'a b/c');
  assert.equal(parseChoice('keep', ['remove', 'keep']), 'keep');
  assert.equal(parseText('Acme Downloads', 200), 'Acme Downloads');
});

test('hostile values: a ConfigError that says what is wrong', () => {
  const rows: Array<[() => unknown, string]> = [
    [() => parsePort('65536'), "'65536' is not a port number (0-65535)"],
    [() => parsePort(' 80'), "' 80' is not a port number (0-65535)"],
    [() => parsePort('1e3'), "'1e3' is not a port number (0-65535)"],
    [() => parsePort('-1'), "'-1' is not a port number (0-65535)"],
    [() => parseIntIn('0x10', 0, 100), "'0x10' is not a whole number (expected 0-100)"],
    [() => parseIntIn('+5', 0, 100), "'+5' is not a whole number (expected 0-100)"],
    [() => parseIntIn('101', 0, 100), '101 is out of range (expected 0-100)'],
    [() => parseIntIn('9'.repeat(400), 0, 100), `'${'9'.repeat(100)}...' is not a whole number (expected 0-100)`],
    [() => parseDuration('10s', 0.1, 60), "'10s' is not a number of seconds from 0.1 to 60"],
    [() => parseDuration('0', 0.1, 60), "'0' is not a number of seconds from 0.1 to 60"],
    [() => parseDuration('Infinity', 0.1, 60), "'Infinity' is not a number of seconds from 0.1 to 60"],
    [() => parseDuration('.5', 0.1, 60), "'.5' is not a number of seconds from 0.1 to 60"],
    [() => parseSize('1T', 1, 2 ** 40), "'1T' is not a size (bytes, or with K, M or G: e.g. 512, 64K, 16MiB)"],
    [() => parseSize('2G', 1, 2 ** 30), "'2G' is out of range (expected 1-1073741824 bytes)"],
    [() => parseHost('a b'), "'a b' is not an IP address or host name"],
    [() => parseHost('-x.example'), "'-x.example' is not an IP address or host name"],
    [() => parseHost('x..example'), "'x..example' is not an IP address or host name"],
    [() => parseHost(''), "'' is not an IP address or host name"],
    [() => parseUrl('ftp://x/', HTTP), "'ftp://x/': only http and https URLs are allowed"],
    [() => parseUrl('javascript:alert(1)', HTTP), "'javascript:alert(1)': only http and https URLs are allowed"],
    [() => parseUrl('http://x/', ['udp:']), "'http://x/': only udp URLs are allowed"],
    [() => parseUrl('x', [...HTTP, 'udp:']), "'x' is not a valid absolute URL"],
    [
      () => parseUrl('https://a/\r\nSet-Cookie: x', HTTP),
      '"https://a/\\r\\nSet-Cookie: x": URL must not contain spaces or control characters',
    ],
    [() => parseUrl('https://u:p@a/', HTTP, { noCredentials: true }), "'https://u:p@a/': URL must not contain credentials"],
    [() => parseLogLevel('verbose'), "'verbose' is not a log level (one of fatal, error, warn, info, debug, trace, silent)"],
    [() => parseLogFormat('yaml'), "'yaml' is not a log format (one of json, pretty, auto)"],
    [() => parsePath('a\u0000b'), 'path contains a NUL byte'],
    [() => parseChoice('purge', ['remove', 'keep']), "'purge': expected remove or keep"],
    [() => parseChoice('x', ['feed', 'counters', 'auto']), "'x': expected feed, counters or auto"],
    [() => parseText('  ', 10), 'must not be empty'],
    [() => parseText('x'.repeat(11), 10), 'longer than 10 characters'],
    [() => parseText('a\u001bb', 10), '"a\\u001bb" contains control characters'],
  ];
  for (const [parse, want] of rows) assert.equal(problem(parse), want);
});

test('parseAt names where the value came from, for any error a parser throws', () => {
  assert.equal(
    problem(() => parseAt('option -p', 'x', parsePort)),
    "option -p: 'x' is not a port number (0-65535)",
  );
  assert.equal(
    problem(() =>
      parseAt('environment X', 'x', () => {
        throw new Error('plain');
      }),
    ),
    'environment X: plain',
  );
});

test('LOG_LEVEL is the default level; LOG_FORMAT is checked', () => {
  assert.equal(logLevelFromEnv({}, 'info'), 'info');
  assert.equal(logLevelFromEnv({ LOG_LEVEL: '' }, 'info'), 'info');
  assert.equal(logLevelFromEnv({ LOG_LEVEL: 'debug', LOG_FORMAT: 'json' }, 'info'), 'debug');
  assert.equal(
    problem(() => logLevelFromEnv({ LOG_LEVEL: 'DEBUG' }, 'info')),
    "environment LOG_LEVEL: 'DEBUG' is not a log level (one of fatal, error, warn, info, debug, trace, silent)",
  );
  assert.equal(
    problem(() => logLevelFromEnv({ LOG_FORMAT: 'yaml' }, 'info')),
    "environment LOG_FORMAT: 'yaml' is not a log format (one of json, pretty, auto)",
  );
});

/** Every parser with fixed bounds, so that one property covers them all. */
const PARSERS: Array<[string, (v: string) => unknown]> = [
  ['port', parsePort],
  ['int', (v) => parseIntIn(v, 1, 1000)],
  ['duration', (v) => parseDuration(v, 0.1, 86_400)],
  ['size', (v) => parseSize(v, 1, 2 ** 40)],
  ['host', parseHost],
  ['url', (v) => parseUrl(v, [...HTTP, 'udp:'], { noCredentials: true })],
  ['log level', parseLogLevel],
  ['log format', parseLogFormat],
  ['path', parsePath],
  ['choice', (v) => parseChoice(v, ['a', 'b'])],
  ['text', (v) => parseText(v, 50)],
];

const hostile = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '-0', '1e3', '0x1', 'NaN', '65536', '1.', '.1', '[::1', 'http://', 'udp://x', '\u0000', 'a\nb', '9'.repeat(300)),
  fc.webUrl(),
  fc.ipV6(),
  fc.domain(),
);

test('property: every parser returns or throws ConfigError, never anything else', () => {
  fc.assert(
    fc.property(hostile, (v) => {
      for (const [name, parse] of PARSERS) {
        try {
          parse(v);
        } catch (err) {
          assert.ok(err instanceof ConfigError, `${name}(${JSON.stringify(v)}) threw ${String(err)}`);
          assert.ok(!err.message.includes('\n'), 'an error stays on one line');
        }
      }
    }),
    { seed: 42, numRuns: 3000 },
  );
});

test('property: round trips', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 65535 }), (n) => assert.equal(parsePort(String(n)), n)),
    { seed: 42, numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1000 }), (n) => assert.equal(parseIntIn(String(n), 1, 1000), n)),
    { seed: 42, numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 864_000 }), (tenths) => {
      const s = tenths / 10;
      assert.equal(parseDuration(String(s), 0.1, 86_400), s);
    }),
    { seed: 42, numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom(['', 1], ['K', 1024], ['MiB', 2 ** 20]), (n, [unit, mul]) => {
      assert.equal(parseSize(`${n}${unit as string}`, 1, 2 ** 50), n * (mul as number));
    }),
    { seed: 42, numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.webUrl({ withQueryParameters: true }), (u) => assert.equal(parseUrl(u, HTTP), u)),
    { seed: 42, numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.domain(), (d) => assert.equal(parseHost(d), d)),
    { seed: 42, numRuns: 500 },
  );
  fc.assert(
    fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (ip) => assert.equal(parseHost(ip), ip)),
    { seed: 42, numRuns: 500 },
  );
});
