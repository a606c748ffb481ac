import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../libs/common/src/config/config-error.js';
import { DEFAULTS, parseStatsConfig } from './config.js';

const CWD = '/srv/site';

function parse(argv: string[], env: Record<string, string>, cwd: string) {
  return parseStatsConfig(argv, { env, cwd });
}

function message(argv: string[], env: Record<string, string> = {}): string {
  try {
    parse(argv, env, CWD);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.message;
  }
  return assert.fail(`no error for ${argv.join(' ')}`);
}

function run(argv: string[], env: Record<string, string> = {}) {
  const r = parse(argv, env, CWD);
  assert.equal(r.kind, 'config');
  return r.kind === 'config' ? r.config : assert.fail();
}

describe('parseStatsConfig', () => {
  test('defaults come from the suite settings', () => {
    const c = run([]);
    assert.equal(c.port, 8080);
    assert.equal(c.trackerStatsUrl, 'http://127.0.0.1:6969/stats?mode=tpbs&format=txtp');
    assert.equal(c.manifestPath, '/srv/site/data/manifest.json');
    assert.equal(c.torrentsDir, '/srv/site/data/torrents');
    assert.equal(c.releasesDir, '/srv/site/releases');
    assert.equal(c.dbPath, '/srv/site/data/stats.sqlite');
    assert.equal(c.pollIntervalSeconds, 5);
    assert.equal(c.countSource, 'auto');
    assert.equal(c.directLimit, 3);
    assert.equal(c.unknownHashes, 'show');
    assert.equal(c.baseUrl, 'http://127.0.0.1:8080');
    assert.ok(Object.isFrozen(c));
    assert.equal(c.title, DEFAULTS.title);
    assert.ok(Object.isFrozen(DEFAULTS));
  });

  test('the whole config is frozen, nested lists too; LOG_LEVEL sets the default level', () => {
    const c = run(['--trusted-proxy', '127.0.0.1'], { LOG_LEVEL: 'error' });
    for (const list of [c.announceUrls, c.webSeeds, c.trustedProxies]) assert.ok(Object.isFrozen(list));
    assert.throws(() => (c.webSeeds as string[]).push('http://x/'), TypeError);
    assert.equal(c.logLevel, 'error');
    assert.equal(run(['--log-level', 'debug'], { LOG_LEVEL: 'error' }).logLevel, 'debug');
  });

  test('error wording: unknown option, bad value, missing value, bad environment', () => {
    assert.equal(message(['--porrt', '1']), 'unknown option --porrt (did you mean --port?)');
    assert.equal(message(['--port', '70000']), "option --port: '70000' is not a port number (0-65535)");
    assert.equal(message(['--count-source', 'guess']), "option --count-source: 'guess': expected feed, counters or auto");
    assert.equal(message(['--port']), 'option --port: needs a value');
    assert.equal(
      message([], { LOG_LEVEL: 'loud' }),
      "environment LOG_LEVEL: 'loud' is not a log level (one of fatal, error, warn, info, debug, trace, silent)",
    );
    assert.equal(message([], { STATS_PORT: 'abc' }), "environment STATS_PORT: 'abc' is not a port number (0-65535)");
    assert.equal(message(['--host', 'a b']), "option --host: 'a b' is not an IP address or host name");
  });

  test('environment and flags (both spellings) override', () => {
    const c = run(
      [
        '--port',
        '0',
        '--poll-interval=5',
        '--db',
        'x.db',
        '--unknown-hashes',
        'hide',
        '--title',
        'My <site>',
        '--tracker-stats-url',
        'http://127.0.0.1:7000/stats?mode=tpbs&format=txtp',
        '--log-level',
        'warn',
      ],
      { DATA_DIR: '/var/d', STATS_PORT: '9000' },
    );
    assert.equal(c.port, 0);
    assert.equal(c.pollIntervalSeconds, 5);
    assert.equal(c.dbPath, '/srv/site/x.db');
    assert.equal(c.manifestPath, '/var/d/manifest.json');
    assert.equal(c.unknownHashes, 'hide');
    assert.equal(c.title, 'My <site>');
    assert.equal(c.logLevel, 'warn');
    assert.equal(c.baseUrl, 'http://127.0.0.1:9000');
  });

  test('announce URLs and web seeds follow the suite settings; --announce and --web-seed repeat', () => {
    const d = run([], { PUBLIC_HOST: 'dl.example.org' });
    assert.deepEqual(d.announceUrls, ['http://dl.example.org:6969/announce', 'udp://dl.example.org:6969/announce']);
    assert.deepEqual(d.webSeeds, ['http://dl.example.org:8080/files/']);
    const c = run(
      [
        '--announce',
        'https://t.example/announce',
        '--announce=udp://t.example:6969/announce',
        '--web-seed',
        'https://m1.example/pub',
        '--web-seed',
        'https://m2.example/x/',
        '--base-url',
        'https://dl.example',
      ],
      { ANNOUNCE_HTTP_URL: 'http://ignored/announce' },
    );
    assert.deepEqual(c.announceUrls, ['https://t.example/announce', 'udp://t.example:6969/announce']);
    assert.deepEqual(c.webSeeds, ['https://dl.example/files/', 'https://m1.example/pub/', 'https://m2.example/x/']);
    assert.throws(() => run(['--web-seed', 'udp://x/']), /--web-seed/);
    assert.throws(() => run(['--announce', 'nope']), /--announce/);
  });

  test('--help', () => {
    const r = parse(['--port', '1', '--help'], {}, CWD);
    assert.equal(r.kind, 'help');
    assert.match(r.kind === 'help' ? r.text : '', /--poll-interval SECONDS/);
  });

  const bad: [string, string[], Record<string, string>, RegExp][] = [
    ['port not a number', ['--port', 'x'], {}, /--port/],
    ['port too big', ['--port', '70000'], {}, /--port/],
    ['missing value', ['--port'], {}, /needs a value/],
    ['unknown flag', ['--bogus', '1'], {}, /unknown option --bogus/],
    ['typo', ['--porrt', '1'], {}, /^unknown option --porrt \(did you mean --port\?\)$/],
    ['positional argument', ['extra'], {}, /unexpected argument/],
    ['zero poll interval', ['--poll-interval', '0'], {}, /--poll-interval/],
    ['negative poll interval', ['--poll-interval', '-5'], {}, /--poll-interval|unexpected/],
    ['unknown-hashes value', ['--unknown-hashes', 'maybe'], {}, /show or hide/],
    ['log level', ['--log-level', 'loud'], {}, /--log-level/],
    ['stats url not http', ['--tracker-stats-url', 'ftp://x/'], {}, /--tracker-stats-url: 'ftp:\/\/x\/': only http and https URLs/],
    ['stats url garbage', ['--tracker-stats-url', 'not a url'], {}, /--tracker-stats-url: 'not a url': URL must not/],
    ['empty title', ['--title', ' '], {}, /--title/],
    ['bad env port', [], { STATS_PORT: 'abc' }, /STATS_PORT/],
    ['count source', ['--count-source', 'guess'], {}, /feed, counters or auto/],
    ['direct limit zero', ['--direct-limit', '0'], {}, /--direct-limit/],
    ['direct window text', ['--direct-window', 'day'], {}, /--direct-window/],
    ['max unknown hashes negative', ['--max-unknown-hashes', '-1'], {}, /--max-unknown-hashes|unexpected/],
    ['trusted proxy garbage', ['--trusted-proxy', '127.0.0.1,nginx'], {}, /--trusted-proxy/],
  ];
  test('new counting options', () => {
    const r = parse(
      [
        '--count-source',
        'counters',
        '--direct-limit',
        '10',
        '--direct-window',
        '3600',
        '--max-unknown-hashes',
        '0',
        '--trusted-proxy',
        '127.0.0.1, ::1/128',
      ],
      {},
      CWD,
    );
    assert.ok(r.kind === 'config');
    assert.deepEqual(
      [r.config.countSource, r.config.directLimit, r.config.directWindowSeconds, r.config.maxUnknownHashes, r.config.trustedProxies],
      ['counters', 10, 3600, 0, ['127.0.0.1', '::1/128']],
    );
  });
  for (const [name, argv, env, msg] of bad) {
    test(`rejects ${name}`, () => {
      assert.throws(
        () => parse(argv, env, CWD),
        (e: unknown) => e instanceof ConfigError && e.exitCode === 2 && msg.test(e.message),
      );
    });
  }
});
