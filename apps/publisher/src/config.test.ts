import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parsePublisherArgs } from './config.js';

const env = { DATA_DIR: '/srv/data', PUBLIC_HOST: 'example.org' };

describe('parsePublisherArgs', () => {
  test('defaults come from the suite settings', () => {
    const r = parsePublisherArgs([], env, '/srv');
    assert.equal(r.kind, 'run');
    if (r.kind !== 'run') return;
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
  });

  test('flags override, in both --flag value and --flag=value forms', () => {
    const r = parsePublisherArgs(['--releases', 'rel', '--torrents=/t', '--private', '--on-delete', 'keep', '--once', '--dry-run',
      '--reload-command', 'systemctl reload opentracker', '--web-seed-base', 'https://cdn.example.org/files', '--log-level', 'debug'], env, '/srv');
    assert.equal(r.kind, 'run');
    if (r.kind !== 'run') return;
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
    const r = parsePublisherArgs(['--quiet-period', '2.5'], env, '/srv');
    assert.equal(r.kind === 'run' && r.config.stableMs, 2500);
  });

  test('--help wins', () => {
    assert.equal(parsePublisherArgs(['--once', '--help'], env, '/').kind, 'help');
  });

  const bad: Array<[string, string[], Record<string, string>, RegExp]> = [
    ['unknown flag', ['--nope'], env, /^unknown option --nope$/],
    ['typo', ['--releses', 'x'], env, /^unknown option --releses \(did you mean --releases\?\)$/],
    ['positional argument', ['releases'], env, /^unexpected argument releases/],
    ['missing value', ['--whitelist'], env, /--whitelist needs a value/],
    ['flag as value', ['--whitelist', '--once'], env, /--whitelist needs a value/],
    ['value on a switch', ['--once=yes'], env, /--once takes no value/],
    ['empty path', ['--releases='], env, /must not be empty/],
    ['bad on-delete', ['--on-delete', 'purge'], env, /remove or keep/],
    ['bad level', ['--log-level', 'verbose'], env, /--log-level/],
    ['javascript: web seed', ['--web-seed-base', 'javascript:alert(1)'], env, /--web-seed-base: expected/],
    ['not a url', ['--announce-http', 'not a url'], env, /not a URL/],
    ['blank reload command', ['--reload-command', '  '], env, /must not be empty/],
    ['bad env port', [], { TRACKER_PORT: '99999' }, /TRACKER_PORT/],
    ['quiet period zero', ['--quiet-period', '0'], env, /--quiet-period must be a number of seconds from 0.1 to 86400/],
    ['quiet period not a number', ['--quiet-period', '10s'], env, /--quiet-period/],
    ['quiet period over a day', ['--quiet-period', '86401'], env, /--quiet-period/],
    ['torrents = releases', ['--torrents', 'releases'], env, /must not be the releases folder/],
  ];
  for (const [name, argv, e, re] of bad) {
    test(`refuses: ${name}`, () => {
      assert.throws(() => parsePublisherArgs(argv, e, '/srv'), (err: unknown) => err instanceof ConfigError && re.test(err.message));
    });
  }
});
