import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { findPasswdUser, parsePasswd } from './privileges.js';

describe('parsePasswd', () => {
  const text = [
    'root:x:0:0:root:/root:/bin/bash',
    '# a comment',
    '',
    'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
    '_opentracker:x:101:65534::/nonexistent:/usr/sbin/nologin\r',
    // Hostile rows: all skipped.
    '+@netgroup::::::',
    '-baduser:x:5:5::/:/bin/sh',
    'short:x:1000:1000',
    'toolong:x:1:1:a:b:c:d',
    'neg:x:-1:5::/:/bin/sh',
    'hexuid:x:0x10:5::/:/bin/sh',
    'spaces:x: 7:5::/:/bin/sh',
    'huge:x:99999999999:5::/:/bin/sh',
    ':x:3:3::/:/bin/sh',
    'nobody:x:1:1:duplicate, later wins never:/:/bin/sh',
  ].join('\n');

  test('keeps only well-formed entries', () => {
    assert.deepEqual(
      parsePasswd(text).map((e) => e.name),
      ['root', 'nobody', '_opentracker', 'nobody'],
    );
  });

  const rows: Array<[name: string, want: { uid: number; gid: number } | null]> = [
    ['root', { uid: 0, gid: 0 }],
    ['nobody', { uid: 65534, gid: 65534 }],
    ['_opentracker', { uid: 101, gid: 65534 }],
    ['missing', null],
    ['', null],
    ['short', null],
    ['+@netgroup', null],
    ['NOBODY', null],
  ];
  for (const [name, want] of rows) {
    test(`findPasswdUser(${JSON.stringify(name)})`, () => {
      const e = findPasswdUser(text, name);
      assert.deepEqual(e === null ? null : { uid: e.uid, gid: e.gid }, want);
    });
  }
});

// Needs root and a 'nobody' user; the child drops for real, so it runs in its own process.
const isRoot = process.getuid?.() === 0;
const moduleUrl = new URL('./privileges.js', import.meta.url).href;

function runChild(user: string): { status: number | null; stdout: string; stderr: string } {
  const script = `
    import net from 'node:net';
    import { pino } from 'pino';
    import { dropPrivileges } from ${JSON.stringify(moduleUrl)};
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      try {
        dropPrivileges(${JSON.stringify(user)}, pino({ level: 'silent' }));
        console.log(JSON.stringify({ uid: process.getuid(), euid: process.geteuid(), gid: process.getgid(), groups: process.getgroups(), listening: server.listening }));
        server.close();
      } catch (err) {
        console.error(err.message);
        process.exitCode = 3;
        server.close();
      }
    });
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../../../../', import.meta.url)),
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('dropPrivileges (as root, in a child process)', { skip: isRoot ? false : 'needs root' }, () => {
  test('binds, then drops to nobody', () => {
    const r = runChild('nobody');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { uid: number; euid: number; gid: number; groups: number[]; listening: boolean };
    assert.notEqual(out.uid, 0);
    assert.notEqual(out.euid, 0);
    assert.notEqual(out.gid, 0);
    assert.ok(!out.groups.includes(0), `supplementary groups still include root: ${out.groups.join(',')}`);
    assert.equal(out.listening, true);
  });

  test('unknown user is an error, not a fallback', () => {
    const r = runChild('no-such-user-xyz');
    assert.equal(r.status, 3);
    assert.match(r.stderr, /user 'no-such-user-xyz' not found in \/etc\/passwd/);
  });

  test('a uid-0 user is refused', () => {
    const r = runChild('root');
    assert.equal(r.status, 3);
    assert.match(r.stderr, /user 'root' has uid 0/);
  });
});
