import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareNames, releaseFingerprint, releaseKeyOf, torrentFileName } from './release-rules.js';
import { parsePid } from './tracker-signal.js';

test('releaseKeyOf: the top-level entry is the release', () => {
  const rows: Array<[string, string | null]> = [
    ['app.iso', 'app.iso'],
    ['Folder/sub/deep.bin', 'Folder'],
    ['Folder', 'Folder'],
    ['', null],
    ['.', null],
    ['../escape.bin', null],
    ['.staging/x.bin', null],
    ['Folder/.git/config', null],
    ['Folder/file.part', null],
  ];
  for (const [rel, key] of rows) assert.equal(releaseKeyOf(rel), key, rel);
});

test('releaseFingerprint changes with size, mtime, inode, file set and the private flag', () => {
  const f = { absPath: '/r/a', path: ['a'], size: 10, mtimeMs: 1000.5, ino: 7 };
  const base = releaseFingerprint([f], false);
  assert.equal(releaseFingerprint([{ ...f }], false), base);
  for (const changed of [
    { ...f, size: 11 },
    { ...f, mtimeMs: 2000 },
    { ...f, ino: 8 },
    { ...f, path: ['b'] },
  ])
    assert.notEqual(releaseFingerprint([changed], false), base);
  assert.notEqual(releaseFingerprint([f], true), base);
  assert.notEqual(releaseFingerprint([f, { ...f, path: ['b'] }], false), base);
});

test('torrentFileName keeps versions apart and stays under NAME_MAX', () => {
  assert.equal(torrentFileName('app.iso', 'abcdef0123456789abcdef0123456789abcdef01'), 'app.iso.abcdef01.torrent');
  const long = torrentFileName('é'.repeat(300), 'abcdef0123456789abcdef0123456789abcdef01');
  assert.ok(Buffer.byteLength(long) <= 255);
  assert.ok(long.endsWith('é.abcdef01.torrent'), 'cut on a whole character');
});

test('compareNames is byte order, as libuv readdir', () => {
  assert.deepEqual(['b', 'B', 'a', 'é', 'Z'].sort(compareNames), ['B', 'Z', 'a', 'b', 'é']);
});

test('parsePid accepts only a plain pid > 1', () => {
  const rows: Array<[string, number | null]> = [
    ['1234\n', 1234],
    [' 42 ', 42],
    ['0', null],
    ['1', null],
    ['-1', null],
    ['12a', null],
    ['', null],
    ['99999999999', null],
  ];
  for (const [text, pid] of rows) assert.equal(parsePid(text), pid, JSON.stringify(text));
});
