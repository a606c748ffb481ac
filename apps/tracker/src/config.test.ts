import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../../libs/common/src/config/config-error.js';
import type { ConfigInput } from '../../../libs/common/src/config/config-result.js';
import { DEFAULTS, parseTrackerConfig, type TrackerConfig } from './config.js';
import { DIRECTIVE_INDEX, FLAG_INDEX } from './config-options.js';
import { helpText } from './help.js';

const CWD = '/srv/tracker';

function deps(
  files: Record<string, string> = {},
  env: Record<string, string | undefined> = {},
): { -readonly [K in keyof ConfigInput]: ConfigInput[K] } {
  return {
    cwd: CWD,
    env,
    version: '9.9.9',
    readFile(p: string): string {
      const text = files[p];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${p}'`), { code: 'ENOENT' });
      return text;
    },
  };
}

function config(argv: string[], files: Record<string, string> = {}, env: Record<string, string | undefined> = {}): TrackerConfig {
  const r = parseTrackerConfig(argv, deps(files, env));
  assert.ok(r.kind === 'config', 'expected a config, got help');
  return r.config;
}

function configError(argv: string[], files: Record<string, string> = {}, env: Record<string, string | undefined> = {}): string {
  try {
    parseTrackerConfig(argv, deps(files, env));
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.message;
  }
  assert.fail(`expected a ConfigError for ${JSON.stringify(argv)}`);
}

const conf = (text: string) => ({ '/etc/ot.conf': text });

describe('defaults', () => {
  const c = config([]);
  const rows: Array<[keyof TrackerConfig, unknown]> = [
    ['tcp', [{ host: '0.0.0.0', port: 6969 }]],
    ['udp', [{ host: '0.0.0.0', port: 6969 }]],
    ['accessMode', 'whitelist'],
    ['accessListPath', `${CWD}/whitelist`],
    ['statsCidrs', ['127.0.0.0/8', '::1/128']],
    ['proxyCidrs', []],
    ['statsPath', 'stats'],
    ['redirectUrl', null],
    ['user', null],
    ['rootDir', null],
    ['stateFile', `${CWD}/data/tracker.state`],
    ['pidFile', `${CWD}/data/tracker.pid`],
    ['intervalSeconds', 1800],
    ['intervalJitterSeconds', 180],
    ['peerTimeoutSeconds', 2700],
    ['numwantDefault', 50],
    ['numwantMax', 200],
    ['scrapeMax', 64],
    ['flushIntervalSeconds', 5],
    ['completionWindowSeconds', 86400],
    ['journalFile', `${CWD}/data/tracker.journal`],
    ['journalKeep', 100000],
    ['completionsPerAddress', 5],
    ['maxCompleters', 524288],
    ['maxTorrents', 50000],
    ['torrentIdleTimeoutSeconds', 86400],
    ['maxPeersPerTorrent', 100000],
    ['logLevel', 'info'],
    ['maxUrlBytes', 8192],
    ['headersTimeoutMs', 10000],
    ['keepAliveTimeoutMs', 30000],
    ['maxConnections', 1024],
    ['maxConnectionsPerAddress', 32],
    ['maxConnectionAgeSeconds', 300],
    ['notes', []],
  ];
  for (const [key, want] of rows) test(key, () => assert.deepEqual(c[key], want));

  test('deep-frozen', () => {
    assert.ok(Object.isFrozen(c));
    assert.ok(Object.isFrozen(c.tcp));
    assert.ok(Object.isFrozen(c.tcp[0]));
    assert.ok(Object.isFrozen(c.statsCidrs));
    assert.ok(Object.isFrozen(c.notes));
    assert.throws(() => (c.tcp as Array<unknown>).push(1));
  });

  test('DEFAULTS.statsCidrs is loopback', () => assert.deepEqual([...DEFAULTS.statsCidrs], ['127.0.0.0/8', '::1/128']));

  test('DEFAULTS is deep-frozen and holds every number default', () => {
    assert.ok(Object.isFrozen(DEFAULTS));
    assert.ok(Object.isFrozen(DEFAULTS.statsCidrs));
    assert.equal(DEFAULTS.intervalSeconds, 1800);
    assert.equal(DEFAULTS.listenPort, 6969);
  });

  test('udpScrapeMax is gone (BEP 15 scrapes are capped by the datagram size, not by a setting)', () => {
    assert.ok(!('udpScrapeMax' in c));
  });

  test('a nested object of the config is frozen too', () => {
    const r = config(['--store', 'redis://r1:6379/1']);
    assert.ok(Object.isFrozen(r.store));
    assert.throws(() => {
      (r.tcp[0] as { port: number }).port = 1;
    }, TypeError);
  });

  test('suite environment sets the defaults', () => {
    const e = config([], {}, { WHITELIST: 'lists/wl', DATA_DIR: '/var/lib/suite', TRACKER_PORT: '7000', BIND_HOST: '127.0.0.1' });
    assert.equal(e.accessListPath, `${CWD}/lists/wl`);
    assert.equal(e.stateFile, '/var/lib/suite/tracker.state');
    assert.equal(e.pidFile, '/var/lib/suite/tracker.pid');
    assert.deepEqual(e.tcp, [{ host: '127.0.0.1', port: 7000 }]);
  });

  test('TRACKER_STATE_FILE beats DATA_DIR; --state-file beats both', () => {
    assert.equal(config([], {}, { TRACKER_STATE_FILE: 'st', DATA_DIR: '/d' }).stateFile, `${CWD}/st`);
    assert.equal(config(['--state-file', '/x/st'], {}, { TRACKER_STATE_FILE: 'st' }).stateFile, '/x/st');
  });
});

describe('flags', () => {
  const rows: Array<{ argv: string[]; want: Partial<TrackerConfig> }> = [
    { argv: ['-p', '0'], want: { tcp: [{ host: '0.0.0.0', port: 0 }], udp: [] } },
    { argv: ['-P', '0'], want: { tcp: [], udp: [{ host: '0.0.0.0', port: 0 }] } },
    {
      argv: ['-p', '0', '-p', '0'],
      want: {
        tcp: [
          { host: '0.0.0.0', port: 0 },
          { host: '0.0.0.0', port: 0 },
        ],
      },
    },
    { argv: ['-p6970'], want: { tcp: [{ host: '0.0.0.0', port: 6970 }] } },
    {
      argv: ['-i', '127.0.0.1', '-p', '1', '-i', '::1', '-p', '2'],
      want: {
        tcp: [
          { host: '127.0.0.1', port: 1 },
          { host: '::1', port: 2 },
        ],
        udp: [],
      },
    },
    {
      argv: ['-p', '1', '-i', '127.0.0.1', '-P', '2'],
      want: { tcp: [{ host: '0.0.0.0', port: 1 }], udp: [{ host: '127.0.0.1', port: 2 }] },
    },
    { argv: ['-i', '127.0.0.1'], want: { tcp: [{ host: '127.0.0.1', port: 6969 }], udp: [{ host: '127.0.0.1', port: 6969 }] } },
    { argv: ['-i', '[::1]', '-p', '65535'], want: { tcp: [{ host: '::1', port: 65535 }] } },
    { argv: ['-i', '::FFFF:127.0.0.1', '-p', '5'], want: { tcp: [{ host: '127.0.0.1', port: 5 }] } },
    { argv: ['-A', '10.0.0.0/8', '-A', '::1', '-A', '10.1.2.3/8'], want: { statsCidrs: ['10.0.0.0/8', '::1/128'] } },
    { argv: ['--proxy', '127.0.0.1', '--proxy=10.0.0.0/8'], want: { proxyCidrs: ['127.0.0.1/32', '10.0.0.0/8'] } },
    { argv: ['--stats-path', 'admin/stats'], want: { statsPath: 'admin/stats' } },
    { argv: ['--stats-path', '/ot-stats'], want: { statsPath: 'ot-stats' } },
    { argv: ['-w', 'wl.txt'], want: { accessMode: 'whitelist', accessListPath: `${CWD}/wl.txt` } },
    { argv: ['-w', 'a', '-w', '/abs/b'], want: { accessMode: 'whitelist', accessListPath: '/abs/b' } },
    { argv: ['-b', 'bl.txt'], want: { accessMode: 'blacklist', accessListPath: `${CWD}/bl.txt` } },
    { argv: ['--open'], want: { accessMode: 'open', accessListPath: null } },
    { argv: ['-r', 'https://example.org/downloads'], want: { redirectUrl: 'https://example.org/downloads' } },
    { argv: ['-r', 'http://[::1]:8080/'], want: { redirectUrl: 'http://[::1]:8080/' } },
    { argv: ['-u', 'nobody'], want: { user: 'nobody' } },
    { argv: ['-u', '_opentracker'], want: { user: '_opentracker' } },
    { argv: ['-d', 'root'], want: { rootDir: `${CWD}/root` } },
    { argv: ['-l', 'state.txt'], want: { stateFile: `${CWD}/state.txt` } },
    { argv: ['--state-file', '/var/st'], want: { stateFile: '/var/st' } },
    { argv: ['--state-file=rel/st'], want: { stateFile: `${CWD}/rel/st` } },
    { argv: ['--pid-file', 'run/t.pid'], want: { pidFile: `${CWD}/run/t.pid` } },
    { argv: ['--pid-file', 'none'], want: { pidFile: null } },
    {
      argv: ['--interval', '60', '--interval-jitter', '0', '--peer-timeout', '61'],
      want: { intervalSeconds: 60, intervalJitterSeconds: 0, peerTimeoutSeconds: 61 },
    },
    { argv: ['--interval=900'], want: { intervalSeconds: 900 } },
    { argv: ['--numwant-default', '0', '--numwant-max', '1'], want: { numwantDefault: 0, numwantMax: 1 } },
    { argv: ['--numwant-max', '1000', '--numwant-default', '1000'], want: { numwantDefault: 1000, numwantMax: 1000 } },
    { argv: ['--scrape-max', '1'], want: { scrapeMax: 1 } },
    { argv: ['--flush-interval', '3600'], want: { flushIntervalSeconds: 3600 } },
    { argv: ['--state-file', 'counts.txt'], want: { stateFile: `${CWD}/counts.txt`, journalFile: `${CWD}/counts.txt.journal` } },
    {
      argv: ['--journal-file', 'j', '--journal-keep', '500', '--completions-per-address', '15'],
      want: { journalFile: `${CWD}/j`, journalKeep: 500, completionsPerAddress: 15 },
    },
    {
      argv: ['--max-torrents', '7', '--torrent-idle-timeout', '600', '--max-peers-per-torrent', '9', '--max-completers', '1000'],
      want: { maxTorrents: 7, torrentIdleTimeoutSeconds: 600, maxPeersPerTorrent: 9, maxCompleters: 1000 },
    },
    { argv: ['--completion-window', '1'], want: { completionWindowSeconds: 1 } },
    {
      argv: ['--max-connections', '1', '--max-connections-per-ip=2', '--max-connection-age', '10'],
      want: { maxConnections: 1, maxConnectionsPerAddress: 2, maxConnectionAgeSeconds: 10 },
    },
    { argv: ['--log-level', 'debug'], want: { logLevel: 'debug' } },
    { argv: ['--log-level', 'silent'], want: { logLevel: 'silent' } },
    { argv: ['--'], want: { accessMode: 'whitelist' } },
  ];
  for (const row of rows) {
    test(row.argv.join(' '), () => {
      const c = config(row.argv);
      for (const [key, want] of Object.entries(row.want)) assert.deepEqual(c[key as keyof TrackerConfig], want, key);
    });
  }
});

describe('root dir (-d / tracker.rootdir): chdir only, relative list and state paths inside it', () => {
  const rows: Array<{ argv: string[]; list: string | null; state: string; pid: string | null }> = [
    { argv: ['-d', '/srv/ot', '-w', 'wl'], list: '/srv/ot/wl', state: `${CWD}/data/tracker.state`, pid: `${CWD}/data/tracker.pid` },
    { argv: ['-w', 'wl', '-d', '/srv/ot'], list: '/srv/ot/wl', state: `${CWD}/data/tracker.state`, pid: `${CWD}/data/tracker.pid` },
    { argv: ['-d', '/srv/ot', '-w', '/abs/wl'], list: '/abs/wl', state: `${CWD}/data/tracker.state`, pid: `${CWD}/data/tracker.pid` },
    { argv: ['-d', 'rel', '-b', 'bl', '-l', 'st', '--pid-file', 'p'], list: `${CWD}/rel/bl`, state: `${CWD}/rel/st`, pid: `${CWD}/p` },
    { argv: ['-d', '/srv/ot'], list: `${CWD}/whitelist`, state: `${CWD}/data/tracker.state`, pid: `${CWD}/data/tracker.pid` },
  ];
  for (const row of rows) {
    test(row.argv.join(' '), () => {
      const c = config(row.argv);
      assert.equal(c.accessListPath, row.list);
      assert.equal(c.stateFile, row.state);
      assert.equal(c.pidFile, row.pid);
    });
  }
});

describe('config file (-f)', () => {
  test('the config file Debian opentracker was run with when the golden vectors were captured parses', () => {
    const golden = [
      'listen.tcp_udp 127.0.0.1:16969',
      'access.whitelist /whitelist.txt',
      'access.stats 127.0.0.1',
      'tracker.rootdir /tmp/otgold',
      'tracker.user nobody',
      'tracker.redirect_url https://tracker.example/',
      '',
    ].join('\n');
    const c = config(['-f', '/etc/ot.conf'], conf(golden));
    assert.deepEqual(c.tcp, [{ host: '127.0.0.1', port: 16969 }]);
    assert.deepEqual(c.udp, [{ host: '127.0.0.1', port: 16969 }]);
    assert.equal(c.accessMode, 'whitelist');
    // Absolute paths stay absolute: we chdir, we do not chroot (see --help).
    assert.equal(c.accessListPath, '/whitelist.txt');
    assert.deepEqual(c.statsCidrs, ['127.0.0.1/32']);
    assert.equal(c.rootDir, '/tmp/otgold');
    assert.equal(c.user, 'nobody');
    assert.equal(c.redirectUrl, 'https://tracker.example/');
  });

  test("Debian's /etc/opentracker/opentracker.conf parses", () => {
    const debian =
      '# opentracker config file\n\naccess.whitelist /etc/opentracker/whitelist.txt\ntracker.rootdir /etc/opentracker\ntracker.user    _opentracker\n';
    const c = config(['-f', '/etc/ot.conf'], conf(debian));
    assert.equal(c.user, '_opentracker');
    assert.equal(c.accessListPath, '/etc/opentracker/whitelist.txt');
  });

  const rows: Array<{ name: string; text: string; want: Partial<TrackerConfig> }> = [
    {
      name: 'listen.tcp_udp without port',
      text: 'listen.tcp_udp 127.0.0.1',
      want: { tcp: [{ host: '127.0.0.1', port: 6969 }], udp: [{ host: '127.0.0.1', port: 6969 }] },
    },
    { name: 'listen.tcp [v6]:port', text: 'listen.tcp [::1]:7000', want: { tcp: [{ host: '::1', port: 7000 }], udp: [] } },
    { name: 'listen.udp [v6]', text: 'listen.udp [2001:DB8::1]', want: { tcp: [], udp: [{ host: '2001:db8::1', port: 6969 }] } },
    { name: 'listen.udp bare v6', text: 'listen.udp ::', want: { udp: [{ host: '::', port: 6969 }] } },
    {
      name: 'listen.tcp port 0 twice',
      text: 'listen.tcp 127.0.0.1:0\nlisten.tcp 127.0.0.1:0',
      want: {
        tcp: [
          { host: '127.0.0.1', port: 0 },
          { host: '127.0.0.1', port: 0 },
        ],
      },
    },
    {
      name: 'listen.udp.workers is a note',
      text: 'listen.udp.workers 4\nlisten.udp 127.0.0.1:0',
      want: {
        notes: [
          '/etc/ot.conf line 1 (listen.udp.workers): listen.udp.workers is accepted for opentracker compatibility and ignored (UDP is served on the event loop)',
        ],
      },
    },
    { name: 'access.blacklist', text: 'access.blacklist bl', want: { accessMode: 'blacklist', accessListPath: `${CWD}/bl` } },
    { name: 'access.open', text: 'access.open', want: { accessMode: 'open', accessListPath: null } },
    {
      name: 'access.stats network',
      text: 'access.stats 192.168.0.0/16\naccess.stats ::1',
      want: { statsCidrs: ['192.168.0.0/16', '::1/128'] },
    },
    { name: 'access.stats_path', text: 'access.stats_path tracker-stats', want: { statsPath: 'tracker-stats' } },
    { name: 'access.proxy', text: 'access.proxy 10.0.0.1', want: { proxyCidrs: ['10.0.0.1/32'] } },
    { name: 'paths with spaces', text: 'access.whitelist /srv/my lists/white list', want: { accessListPath: '/srv/my lists/white list' } },
    {
      name: 'connection caps',
      text: 'tracker.max_connections 500\ntracker.max_connections_per_ip 8\ntracker.max_connection_age 60',
      want: { maxConnections: 500, maxConnectionsPerAddress: 8, maxConnectionAgeSeconds: 60 },
    },
    {
      name: 'tracker.* settings',
      text: 'tracker.state_file st\ntracker.pid_file none\ntracker.interval 600\ntracker.interval_jitter 60\ntracker.peer_timeout 900\ntracker.numwant_default 10\ntracker.numwant_max 20\ntracker.scrape_max 5\ntracker.flush_interval 30\ntracker.completion_window 3600\ntracker.log_level warn',
      want: {
        stateFile: `${CWD}/st`,
        pidFile: null,
        intervalSeconds: 600,
        intervalJitterSeconds: 60,
        peerTimeoutSeconds: 900,
        numwantDefault: 10,
        numwantMax: 20,
        scrapeMax: 5,
        flushIntervalSeconds: 30,
        completionWindowSeconds: 3600,
        logLevel: 'warn',
      },
    },
    {
      name: 'comments, blanks, indentation, tabs, CRLF, BOM',
      text: '\uFEFF# c\r\n\r\n   # indented comment\r\n\t tracker.user \t nobody \t\r\n',
      want: { user: 'nobody' },
    },
    { name: 'empty file', text: '', want: { accessMode: 'whitelist', tcp: [{ host: '0.0.0.0', port: 6969 }] } },
  ];
  for (const row of rows) {
    test(row.name, () => {
      const c = config(['-f', '/etc/ot.conf'], conf(row.text));
      for (const [key, want] of Object.entries(row.want)) assert.deepEqual(c[key as keyof TrackerConfig], want, key);
    });
  }

  test('processed at its position: later flags override, earlier are overridden', () => {
    const files = conf('tracker.interval 600\nlisten.tcp 127.0.0.1:1');
    assert.equal(config(['--interval', '900', '-f', '/etc/ot.conf'], files).intervalSeconds, 600);
    assert.equal(config(['-f', '/etc/ot.conf', '--interval', '900'], files).intervalSeconds, 900);
    assert.deepEqual(
      config(['-p', '2', '-f', '/etc/ot.conf', '-p', '3'], files).tcp.map((b) => b.port),
      [2, 1, 3],
    );
  });

  test('relative -f path resolves against cwd; two files', () => {
    const files = { [`${CWD}/a.conf`]: 'tracker.user a', '/b.conf': 'tracker.user b' };
    assert.equal(config(['-f', 'a.conf'], files).user, 'a');
    assert.equal(config(['-f', 'a.conf', '-f', '/b.conf'], files).user, 'b');
  });
});

describe('errors', () => {
  const rows: Array<{ argv: string[]; files?: Record<string, string>; env?: Record<string, string>; message: string | RegExp }> = [
    // Unknown and malformed command lines.
    { argv: ['-x'], message: 'unknown option -x' },
    { argv: ['--frobnicate'], message: 'unknown option --frobnicate' },
    { argv: ['--state-fiel', 'x'], message: 'unknown option --state-fiel (did you mean --state-file?)' },
    { argv: ['--intreval=60'], message: 'unknown option --intreval (did you mean --interval?)' },
    { argv: ['--Open'], message: 'unknown option --Open (did you mean --open?)' },
    { argv: ['-hv'], message: 'unknown option -hv' },
    { argv: ['--open=yes'], message: 'command line: option --open takes no value' },
    { argv: ['whitelist'], message: "command line: unexpected argument 'whitelist' (options start with '-')" },
    { argv: ['-'], message: "command line: unexpected argument '-' (options start with '-')" },
    { argv: ['--', '-p'], message: "command line: unexpected argument '-p'" },
    { argv: ['-p'], message: 'option -p: needs a value' },
    { argv: ['--interval'], message: 'option --interval: needs a value' },
    { argv: ['-w', '--open'], message: "option -w: needs a value (got option '--open')" },
    { argv: ['-f', '-p'], message: "option -f: needs a value (got option '-p')" },
    { argv: ['-w', ''], message: 'option -w: needs a non-empty value' },
    { argv: ['--state-file='], message: 'option --state-file: needs a non-empty value' },
    { argv: ['-s', '9696'], message: 'option -s: live sync between cluster nodes is not supported' },
    // Ports and addresses.
    { argv: ['-p', '65536'], message: "option -p: '65536' is not a port number (0-65535)" },
    { argv: ['-p', '-1'], message: "option -p: '-1' is not a port number (0-65535)" },
    { argv: ['-P', '80x'], message: "option -P: '80x' is not a port number (0-65535)" },
    { argv: ['-p', '1e3'], message: "option -p: '1e3' is not a port number (0-65535)" },
    { argv: ['-p', ' 80'], message: "option -p: ' 80' is not a port number (0-65535)" },
    { argv: ['-p', '6969', '-p', '6969'], message: 'option -p: tcp 0.0.0.0:6969 is already listed' },
    {
      argv: ['-i', 'localhost'],
      message: "option -i: 'localhost' is not an IP address (use e.g. 0.0.0.0, 127.0.0.1, :: or ::1; hostnames are not resolved)",
    },
    { argv: ['-i', '256.1.1.1'], message: /option -i: '256.1.1.1' is not an IP address/ },
    { argv: ['-i', 'fe80::1%eth0'], message: "option -i: 'fe80::1%eth0': IPv6 zone indexes are not supported" },
    { argv: ['-i', '1.2.3.4\nX'], message: /option -i: "1.2.3.4\\nX" is not an IP address/ },
    { argv: ['-A', 'everyone'], message: /option -A: invalid CIDR "everyone": "everyone" is not an IP address/ },
    { argv: ['-A', '10.0.0.0/33'], message: 'option -A: invalid CIDR "10.0.0.0/33": prefix length must be an integer 0-32' },
    { argv: ['--proxy', '*'], message: /option --proxy: invalid CIDR "\*"/ },
    // Access mode conflicts.
    {
      argv: ['-w', 'a', '-b', 'b'],
      message: 'option -b: blacklist mode conflicts with whitelist mode set by option -w; use only one of -w, -b, --open',
    },
    {
      argv: ['--open', '-w', 'a'],
      message: 'option -w: whitelist mode conflicts with open mode set by option --open; use only one of -w, -b, --open',
    },
    {
      argv: ['-b', 'b', '-f', '/etc/ot.conf'],
      files: conf('access.whitelist wl'),
      message:
        '/etc/ot.conf line 1 (access.whitelist): whitelist mode conflicts with blacklist mode set by option -b; use only one of -w, -b, --open',
    },
    { argv: ['-w', 'a\u0000b'], message: 'option -w: path contains a NUL byte' },
    // URLs, users, paths, levels.
    { argv: ['-r', 'ftp://example.org/'], message: "option -r: 'ftp://example.org/': only http and https URLs are allowed" },
    { argv: ['-r', 'javascript:alert(1)'], message: "option -r: 'javascript:alert(1)': only http and https URLs are allowed" },
    { argv: ['-r', '/relative'], message: "option -r: '/relative' is not a valid absolute URL" },
    {
      argv: ['-r', 'https://a.example/\r\nSet-Cookie: x=1'],
      message: /option -r: "https:\/\/a.example\/\\r\\nSet-Cookie: x=1": URL must not contain spaces or control characters/,
    },
    { argv: ['-r', 'https://user:pw@a.example/'], message: "option -r: 'https://user:pw@a.example/': URL must not contain credentials" },
    { argv: ['-u', 'root;rm'], message: "option -u: 'root;rm' is not a valid user name" },
    { argv: ['-u', '../etc'], message: "option -u: '../etc' is not a valid user name" },
    { argv: ['-u', 'a'.repeat(40)], message: /option -u: 'a{40}' is not a valid user name/ },
    { argv: ['--stats-path', 'a?b'], message: /option --stats-path: 'a\?b' is not a usable URL path/ },
    { argv: ['--stats-path', '../x'], message: "option --stats-path: '../x': '.' and '..' segments are not allowed" },
    { argv: ['--stats-path', '/'], message: /option --stats-path: '\/' is not a usable URL path/ },
    {
      argv: ['--log-level', 'verbose'],
      message: "option --log-level: 'verbose' is not a log level (one of fatal, error, warn, info, debug, trace, silent)",
    },
    // Numbers: bounds and syntax.
    { argv: ['--interval', '59'], message: 'option --interval: 59 is out of range (expected 60-86400)' },
    { argv: ['--interval', '86401'], message: 'option --interval: 86401 is out of range (expected 60-86400)' },
    { argv: ['--interval', '1800.5'], message: "option --interval: '1800.5' is not a whole number (expected 60-86400)" },
    { argv: ['--interval', '0x700'], message: "option --interval: '0x700' is not a whole number (expected 60-86400)" },
    { argv: ['--interval', '+900'], message: "option --interval: '+900' is not a whole number (expected 60-86400)" },
    { argv: ['--interval', '9'.repeat(30)], message: /option --interval: '9{30}' is not a whole number/ },
    { argv: ['--flush-interval', '0'], message: 'option --flush-interval: 0 is out of range (expected 1-3600)' },
    { argv: ['--completions-per-address', '16'], message: 'option --completions-per-address: 16 is out of range (expected 1-15)' },
    { argv: ['--numwant-max', '0'], message: 'option --numwant-max: 0 is out of range (expected 1-1000)' },
    { argv: ['--numwant-max', '1001'], message: 'option --numwant-max: 1001 is out of range (expected 1-1000)' },
    { argv: ['--scrape-max', '0'], message: 'option --scrape-max: 0 is out of range (expected 1-1000)' },
    { argv: ['--completion-window', '0'], message: 'option --completion-window: 0 is out of range (expected 1-31536000)' },
    { argv: ['--max-connections', '0'], message: 'option --max-connections: 0 is out of range (expected 1-1000000)' },
    { argv: ['--max-connection-age', '9'], message: 'option --max-connection-age: 9 is out of range (expected 10-604800)' },
    { argv: ['--peer-timeout', '60'], message: 'option --peer-timeout: 60 is out of range (expected 61-604800)' },
    // Relations between settings.
    {
      argv: ['--interval', '100'],
      message:
        'interval jitter 180 (default of --interval-jitter / tracker.interval_jitter) must be less than the interval 100 (option --interval)',
    },
    {
      argv: ['--interval-jitter', '1800'],
      message:
        'interval jitter 1800 (option --interval-jitter) must be less than the interval 1800 (default of --interval / tracker.interval)',
    },
    {
      argv: ['--peer-timeout', '1980'],
      message:
        'peer timeout 1980 (option --peer-timeout) must be greater than interval + jitter = 1980 (default of --interval / tracker.interval; default of --interval-jitter / tracker.interval_jitter), or peers expire between their announces',
    },
    {
      argv: ['--interval', '3600'],
      message:
        /peer timeout 2700 \(default of --peer-timeout \/ tracker.peer_timeout\) must be greater than interval \+ jitter = 3780 \(option --interval;/,
    },
    {
      argv: ['--numwant-max', '10'],
      message:
        'numwant default 50 (default of --numwant-default / tracker.numwant_default) must not exceed the numwant maximum 10 (option --numwant-max)',
    },
    {
      argv: ['-f', '/etc/ot.conf'],
      files: conf('tracker.numwant_default 300'),
      message:
        'numwant default 300 (/etc/ot.conf line 1 (tracker.numwant_default)) must not exceed the numwant maximum 200 (default of --numwant-max / tracker.numwant_max)',
    },
    // Config files.
    { argv: ['-f', '/missing.conf'], message: "option -f: cannot read config file '/missing.conf': ENOENT" },
    {
      argv: ['-f', '/etc/ot.conf'],
      files: conf('# c\n\nlisten.tcp 127.0.0.1:0\n\n\n\nfoo.bar 1\n'),
      message: '/etc/ot.conf line 7: unknown directive foo.bar',
    },
    {
      argv: ['-f', '/etc/ot.conf'],
      files: conf('batchsync.cluster.admin_ip 10.1.1.1'),
      message: '/etc/ot.conf line 1: unknown directive batchsync.cluster.admin_ip',
    },
    {
      argv: ['-f', '/etc/ot.conf'],
      files: conf('Tracker.User nobody'),
      message: '/etc/ot.conf line 1: unknown directive Tracker.User (did you mean tracker.user?)',
    },
    {
      argv: ['-f', '/etc/ot.conf'],
      files: conf('tracker.user=nobody'),
      message: '/etc/ot.conf line 1: unknown directive tracker.user=nobody',
    },
    { argv: ['-f', '/etc/ot.conf'], files: conf('-p 6969'), message: '/etc/ot.conf line 1: unknown directive -p' },
    { argv: ['-f', '/etc/ot.conf'], files: conf('\u001b[31mred'), message: '/etc/ot.conf line 1: unknown directive "\\u001b[31mred"' },
    { argv: ['-f', '/etc/ot.conf'], files: conf('tracker.user'), message: '/etc/ot.conf line 1: directive tracker.user needs a value' },
    { argv: ['-f', '/etc/ot.conf'], files: conf('access.open yes'), message: '/etc/ot.conf line 1: directive access.open takes no value' },
    {
      argv: ['-f', '/etc/ot.conf'],
      files: conf('livesync.cluster.listen 224.0.42.5:9696'),
      message: '/etc/ot.conf line 1: livesync.cluster.listen: live sync between cluster nodes is not supported',
    },
    {
      argv: ['-f', '/etc/ot.conf'],
      files: conf('access.fifo_add /run/add'),
      message: '/etc/ot.conf line 1: access.fifo_add: dynamic access-list FIFOs are not supported; edit the list file and send SIGHUP',
    },
    {
      argv: ['-f', '/etc/ot.conf'],
      files: conf('listen.tcp_udp 127.0.0.1:16969 # comment'),
      message: "/etc/ot.conf line 1 (listen.tcp_udp): '16969 # comment' is not a port number (0-65535)",
    },
    {
      argv: ['-f', '/etc/ot.conf'],
      files: conf('listen.tcp localhost:80'),
      message: /\/etc\/ot.conf line 1 \(listen.tcp\): 'localhost' is not an IP address/,
    },
    {
      argv: ['-f', '/etc/ot.conf'],
      files: conf('listen.tcp 127.0.0.1:'),
      message: "/etc/ot.conf line 1 (listen.tcp): '' is not a port number (0-65535)",
    },
    {
      argv: ['-f', '/etc/ot.conf'],
      files: conf('listen.tcp [::1'),
      message: "/etc/ot.conf line 1 (listen.tcp): '[::1': missing ']' after the IPv6 address",
    },
    {
      argv: ['-f', '/etc/ot.conf'],
      files: conf('listen.tcp [::1]6969'),
      message: "/etc/ot.conf line 1 (listen.tcp): '[::1]6969': expected ':port' after ']'",
    },
    {
      argv: ['-f', '/etc/ot.conf'],
      files: conf('listen.tcp [127.0.0.1]:80'),
      message: "/etc/ot.conf line 1 (listen.tcp): '[127.0.0.1]:80': brackets are only for IPv6 addresses",
    },
    {
      argv: ['-f', '/etc/ot.conf'],
      files: conf('listen.tcp_udp 127.0.0.1:80\nlisten.tcp 127.0.0.1:80'),
      message: '/etc/ot.conf line 2 (listen.tcp): tcp 127.0.0.1:80 is already listed',
    },
    {
      argv: ['-f', '/etc/ot.conf'],
      files: conf('listen.tcp [::1]:80\nlisten.tcp [0:0::1]:80'),
      message: '/etc/ot.conf line 2 (listen.tcp): tcp [::1]:80 is already listed',
    },
    {
      argv: ['-f', '/etc/ot.conf'],
      files: conf('listen.udp.workers many'),
      message: "/etc/ot.conf line 1 (listen.udp.workers): 'many' is not a whole number (expected 0-1024)",
    },
    {
      argv: ['-f', '/etc/ot.conf'],
      files: conf('tracker.interval 5'),
      message: '/etc/ot.conf line 1 (tracker.interval): 5 is out of range (expected 60-86400)',
    },
    {
      argv: ['-f', '/etc/ot.conf'],
      files: conf('tracker.redirect_url tracker.example'),
      message: "/etc/ot.conf line 1 (tracker.redirect_url): 'tracker.example' is not a valid absolute URL",
    },
    // Environment.
    { argv: [], env: { TRACKER_PORT: 'http' }, message: "environment TRACKER_PORT: 'http' is not a port number (0-65535)" },
    {
      argv: [],
      env: { LOG_LEVEL: 'verbose' },
      message: "environment LOG_LEVEL: 'verbose' is not a log level (one of fatal, error, warn, info, debug, trace, silent)",
    },
    { argv: [], env: { LOG_FORMAT: 'yaml' }, message: "environment LOG_FORMAT: 'yaml' is not a log format (one of json, pretty, auto)" },
    { argv: [], env: { BIND_HOST: 'localhost' }, message: /environment BIND_HOST: 'localhost' is not an IP address/ },
  ];
  for (const row of rows) {
    test(`${row.argv.map((a) => JSON.stringify(a)).join(' ')}${row.files ? ` with ${JSON.stringify(Object.values(row.files)[0]?.slice(0, 40))}` : ''}`, () => {
      const message = configError(row.argv, row.files, row.env);
      if (typeof row.message === 'string') assert.equal(message, row.message);
      else assert.match(message, row.message);
    });
  }

  test('over 1024 stats entries', () => {
    const argv: string[] = [];
    for (let i = 0; i < 1025; i++) argv.push('-A', `10.${i >> 8}.${i & 255}.1`);
    assert.equal(configError(argv), 'option -A: more than 1024 entries');
  });
});

describe('help and version', () => {
  const rows: Array<{ argv: string[]; help: boolean }> = [
    { argv: ['-h'], help: true },
    { argv: ['--help'], help: true },
    { argv: ['-p', '99999', '--help'], help: true },
    { argv: ['--frobnicate', '-h'], help: true },
    { argv: ['-v'], help: false },
    { argv: ['--version'], help: false },
  ];
  for (const row of rows) {
    test(row.argv.join(' '), () => {
      const r = parseTrackerConfig(row.argv, deps());
      assert.equal(r.kind, row.help ? 'help' : 'version');
      if (row.help) assert.match(r.text, /^Usage: tracker \[options\]/);
      else assert.equal(r.text, 'tracker 9.9.9 (opentracker-compatible BitTorrent tracker, HTTP + UDP)\n');
    });
  }

  test('-h after a flag that takes a value is that value, not help', () => {
    assert.equal(configError(['-w', '-h']), "option -w: needs a value (got option '-h')");
  });

  test('--help names every flag and directive', () => {
    const text = helpText();
    for (const flag of [...FLAG_INDEX.keys(), '-f', '-h', '-v', '--help', '--version']) {
      assert.ok(new RegExp(`(^|[\\s,])${flag.replace(/[-]/g, '\\-')}([\\s=,]|$)`, 'm').test(text), `help lacks ${flag}`);
    }
    for (const directive of DIRECTIVE_INDEX.keys()) assert.ok(text.includes(directive), `help lacks ${directive}`);
    assert.match(text, /127\.0\.0\.0\/8 and ::1/);
    for (const line of text.split('\n')) assert.ok(line.length <= 110, `help line too long: ${line}`);
  });

  test('version falls back to package.json', () => {
    const d = deps();
    delete d.version;
    const r = parseTrackerConfig(['-v'], { ...d, readFile: (p: string) => (p.endsWith('package.json') ? '{"version":"1.2.3"}' : '') });
    assert.equal(r.kind === 'version' && r.text, 'tracker 1.2.3 (opentracker-compatible BitTorrent tracker, HTTP + UDP)\n');
  });
});
