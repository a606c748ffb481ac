import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isIgnoredName } from './ignored-names.js';

test('isIgnoredName', () => {
  const rows: Array<[string, boolean]> = [
    ['app.iso', false],
    ['Ünïcode name.bin', false],
    ['<script>alert(1)<', false],
    ['a.partial', false],
    ['.hidden', true],
    ['.', true],
    ['x.part', true],
    ['x.PART', true],
    ['x.crdownload', true],
    ['x.tmp', true],
    ['x.!qB', true],
    ['x.aria2', true],
    ['x~', true],
    ['x.torrent', true],
  ];
  for (const [name, ignored] of rows) assert.equal(isIgnoredName(name), ignored, name);
});
