import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../libs/common/src/config/config-error.js';
import { DEFAULTS, parsePublisherConfig, type PublisherInput } from './config.js';

const env = { DATA_DIR: '/srv/data', PUBLIC_HOST: 'example.org' };

function parse(argv: string[], e: Record<string, string>, cwd: string, more: Partial<PublisherInput> = {}) {
  return parsePublisherConfig(argv, { env: e, cwd, ...more });
}

function message(argv: string[], e: Record<string, string> = env): string {
  try {
    parse(argv, e, '/srv');
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.exitCode, 2);
    return err.message;
  }
  return assert.fail(`no error for ${argv.join(' ')}`);
}

describe('parsePublisherConfig', () => {
  test('defaults come from the suite settings', () => {
    const r = parse([], env, '/srv');
    assert.equal(r.kind, 'config');
    if (r.kind !== 'config') return;
    assert.equal(r.config.releasesDir, '/srv/releases');
    assert.equal(r.config.torrentsDir, '/srv/data/torrents');
    assert.equal(r.config.manifestPath, '/srv/data/manifest.json');
    assert.equal(r.config.trackerPidFile, '/srv/data/tracker.pid');
    assert.equal(r.config.announceHttpUrl, 'http://example.org:6969/announce');
    assert.equal(r.config.announceUdpUrl, 'udp://example.org:6969/announce');
    assert.equal(r.config.webSeedBaseUrl, 'http://example.org:8080/files/');
    assert.equal(r.config.private, false);
    assert.equal(r.config.onDelete, 'remove');
    assert.equal(r.config.reloadCommand, null);
    assert.equal(r.config.stableMs, 15_000, 'quiet period well above one second');
    assert.ok(Object.isFrozen(r.config));
    assert.equal(r.config.signalCoalesceMs, DEFAULTS.signalCoalesceMs);
    assert.equal(r.config.hashThreads, 1, 'one thread unless the CPUs are passed in');
  });

  test('DEFAULTS is frozen; hashing threads follow the CPUs up to its cap', () => {
    assert.ok(Object.isFrozen(DEFAULTS));
    const threads = (cpus: number) => {
      const r = parse([], env, '/srv', { cpus });
      return r.kind === 'config' ? r.config.hashThreads : -1;
    };
    assert.deepEqual([threads(0), threads(2), threads(64)], [1, 2, DEFAULTS.maxHashThreads]);
  });

  test('the whole config is frozen, and LOG_LEVEL sets the default level', () => {
    const r = parse([], { ...env, LOG_LEVEL: 'warn' }, '/srv');
    assert.ok(r.kind === 'config');
    assert.ok(Object.isFrozen(r.config));
    assert.throws(() => {
      (r.config as { once: boolean }).once = true;
    }, TypeError);
    assert.equal(r.config.logLevel, 'warn');
    const flag = parse(['--log-level', 'debug'], { ...env, LOG_LEVEL: 'warn' }, '/srv');
    assert.equal(flag.kind === 'config' && flag.config.logLevel, 'debug');
  });

  test('error wording: unknown option, bad value, missing value, bad environment', () => {
    assert.equal(message(['--releses', 'x']), 'unknown option --releses (did you mean --releases?)');
    assert.equal(message(['--on-delete', 'purge']), "option --on-delete: 'purge': expected remove or keep");
    assert.equal(message(['--quiet-period', '10s']), "option --quiet-period: '10s' is not a number of seconds from 0.1 to 86400");
    assert.equal(message(['--whitelist']), 'option --whitelist: needs a value');
    assert.equal(
      message([], { LOG_LEVEL: 'loud' }),
      "environment LOG_LEVEL: 'loud' is not a log level (one of fatal, error, warn, info, debug, trace, silent)",
    );
    assert.equal(
      message([], { ANNOUNCE_UDP_URL: 'http://x/announce' }),
      "environment ANNOUNCE_UDP_URL: 'http://x/announce': only udp URLs are allowed",
    );
  });

  test('flags override, in both --flag value and --flag=value forms', () => {
    const r = parse(
      [
        '--releases',
        'rel',
        '--torrents=/t',
        '--private',
        '--on-delete',
        'keep',
        '--once',
        '--dry-run',
        '--reload-command',
        'systemctl reload opentracker',
        '--web-seed-base',
        'https://cdn.example.org/files',
        '--log-level',
        'debug',
      ],
      env,
      '/srv',
    );
    assert.equal(r.kind, 'config');
    if (r.kind !== 'config') return;
    assert.equal(r.config.releasesDir, '/srv/rel');
    assert.equal(r.config.torrentsDir, '/t');
    assert.equal(r.config.private, true);
    assert.equal(r.config.onDelete, 'keep');
    assert.equal(r.config.once, true);
    assert.equal(r.config.dryRun, true);
    assert.equal(r.config.reloadCommand, 'systemctl reload opentracker');
    assert.equal(r.config.webSeedBaseUrl, 'https://cdn.example.org/files/');
    assert.equal(r.config.logLevel, 'debug');
  });

  test('--quiet-period takes seconds, fractions too', () => {
    const r = parse(['--quiet-period', '2.5'], env, '/srv');
    assert.equal(r.kind === 'config' && r.config.stableMs, 2500);
  });

  test('--help wins', () => {
    assert.equal(parse(['--once', '--help'], env, '/').kind, 'help');
  });

  const bad: Array<[string, string[], Record<string, string>, RegExp]> = [
    ['unknown flag', ['--nope'], env, /^unknown option --nope$/],
    ['typo', ['--releses', 'x'], env, /^unknown option --releses \(did you mean --releases\?\)$/],
    ['positional argument', ['releases'], env, /^command line: unexpected argument 'releases'/],
    ['missing value', ['--whitelist'], env, /^option --whitelist: needs a value$/],
    ['flag as value', ['--whitelist', '--once'], env, /^option --whitelist: needs a value \(got option '--once'\)$/],
    ['value on a switch', ['--once=yes'], env, /--once takes no value/],
    ['empty path', ['--releases='], env, /^option --releases: needs a non-empty value$/],
    ['bad on-delete', ['--on-delete', 'purge'], env, /remove or keep/],
    ['bad level', ['--log-level', 'verbose'], env, /--log-level/],
    [
      'javascript: web seed',
      ['--web-seed-base', 'javascript:alert(1)'],
      env,
      /^option --web-seed-base: 'javascript:alert\(1\)': only http and https URLs are allowed$/,
    ],
    ['not a url', ['--announce-http', 'not a url'], env, /^option --announce-http: 'not a url': URL must not contain spaces/],
    ['relative url', ['--announce-http', '/announce'], env, /^option --announce-http: '\/announce' is not a valid absolute URL$/],
    ['blank reload command', ['--reload-command', '  '], env, /must not be empty/],
    ['bad env port', [], { TRACKER_PORT: '99999' }, /TRACKER_PORT/],
    ['quiet period zero', ['--quiet-period', '0'], env, /^option --quiet-period: '0' is not a number of seconds from 0.1 to 86400$/],
    ['quiet period not a number', ['--quiet-period', '10s'], env, /--quiet-period/],
    ['quiet period over a day', ['--quiet-period', '86401'], env, /--quiet-period/],
    ['torrents = releases', ['--torrents', 'releases'], env, /must not be the releases folder/],
  ];
  for (const [name, argv, e, re] of bad) {
    test(`refuses: ${name}`, () => {
      assert.throws(
        () => parse(argv, e, '/srv'),
        (err: unknown) => err instanceof ConfigError && err.exitCode === 2 && re.test(err.message),
      );
    });
  }
});
