import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { releaseSegments, resolveReleaseFile } from './release-files.js';

describe('releaseSegments', () => {
  const rows: [string, string[] | null][] = [
    ['app-1.0.tar.gz', ['app-1.0.tar.gz']],
    ['dir/sub/file.bin', ['dir', 'sub', 'file.bin']],
    ['%3Cscript%3E.bin', ['<script>.bin']],
    ['a%20b', ['a b']],
    ['..%2f..%2fetc%2fpasswd', null],
    ['..%2F..%2Fetc%2Fpasswd', null],
    ['../etc/passwd', null],
    ['dir/../../x', null],
    ['.env', null],
    ['dir/.git/config', null],
    ['a%5c..%5cb', null],
    ['a%00b', null],
    ['%E0%A4%A', null],
    ['a//b', null],
    ['', null],
  ];
  for (const [input, want] of rows) {
    test(JSON.stringify(input), () => assert.deepEqual(releaseSegments(input), want));
  }
});

describe('resolveReleaseFile', () => {
  test('files inside resolve; directories, missing files and symlinks out do not', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stats-files-'));
    try {
      const root = path.join(dir, 'releases');
      fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
      fs.writeFileSync(path.join(root, 'sub', 'f.bin'), 'x');
      fs.writeFileSync(path.join(dir, 'secret'), 's');
      fs.symlinkSync(path.join(dir, 'secret'), path.join(root, 'link-out'));
      fs.symlinkSync(path.join(root, 'sub', 'f.bin'), path.join(root, 'link-in'));
      const real = fs.realpathSync(root);
      assert.equal(await resolveReleaseFile(real, ['sub', 'f.bin']), path.join(real, 'sub', 'f.bin'));
      assert.equal(await resolveReleaseFile(real, ['link-in']), path.join(real, 'sub', 'f.bin'));
      assert.equal(await resolveReleaseFile(real, ['link-out']), null);
      assert.equal(await resolveReleaseFile(real, ['sub']), null);
      assert.equal(await resolveReleaseFile(real, ['nope']), null);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
