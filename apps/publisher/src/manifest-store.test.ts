import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Manifest, ManifestRelease } from '../../../libs/common/src/manifest.js';
import { hashIsLive, loadManifest, recordPublished, recordRemoved, saveManifest } from './manifest-store.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-02T00:00:00Z');
const entry = (path: string, infoHash: string): ManifestRelease => ({
  name: path,
  path,
  size: 1,
  infoHash,
  magnet: '',
  pieceLength: 32768,
  publishedAt: t0.toISOString(),
  sha256: null,
  torrent: `${path}.torrent`,
  removedAt: null,
});
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

test('recordPublished: new, same-hash update (keeps publishedAt), replacement marks the old one removed', () => {
  let m: Manifest = { version: 1, releases: [] };
  m = recordPublished(m, entry('x', A), t0);
  assert.equal(m.releases.length, 1);
  m = recordPublished(m, { ...entry('x', A), publishedAt: t1.toISOString(), fingerprint: 'new' }, t1);
  assert.equal(m.releases.length, 1);
  assert.equal(m.releases[0]?.publishedAt, t0.toISOString());
  assert.equal(m.releases[0]?.fingerprint, 'new');
  m = recordPublished(m, entry('x', B), t1);
  assert.deepEqual(
    m.releases.map((r) => [r.infoHash, r.removedAt]),
    [
      [A, t1.toISOString()],
      [B, null],
    ],
  );
  assert.equal(hashIsLive(m, A), false);
  assert.equal(hashIsLive(m, B), true);
  m = recordRemoved(m, 'x', t1);
  assert.equal(m.releases.length, 2, 'never deleted');
  assert.equal(hashIsLive(m, B), false);
});

test('loadManifest: missing -> empty; corrupt -> moved aside, never overwritten', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'manifest-test-'));
  try {
    const file = path.join(dir, 'manifest.json');
    assert.deepEqual((await loadManifest(file, t0)).manifest.releases, []);
    for (const bad of ['{not json', '{"version":2,"releases":[]}', '{"version":1,"releases":[{"path":1}]}']) {
      await writeFile(file, bad);
      const r = await loadManifest(file, t0);
      assert.match(r.warning ?? '', /moved aside/);
      assert.deepEqual(r.manifest.releases, []);
      const aside = (await readdir(dir)).find((n) => n.startsWith('manifest.json.corrupt-'));
      assert.equal(await readFile(path.join(dir, aside as string), 'utf8'), bad);
      await rm(path.join(dir, aside as string));
    }
    const m: Manifest = { version: 1, releases: [entry('x', A)] };
    await saveManifest(file, m);
    assert.deepEqual((await loadManifest(file, t0)).manifest, m);
    assert.deepEqual(await readdir(dir), ['manifest.json'], 'no temp file left');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('saveManifest: a temp file of the manifest that a killed save left is removed; other temp files stay', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'manifest-test-'));
  try {
    const file = path.join(dir, 'manifest.json');
    await writeFile(path.join(dir, '.manifest.json.0123456789ab.tmp'), '{"version":1,"rel');
    await writeFile(path.join(dir, '.stats.db.0123456789ab.tmp'), 'x');
    await saveManifest(file, { version: 1, releases: [entry('x', A)] });
    assert.deepEqual((await readdir(dir)).sort(), ['.stats.db.0123456789ab.tmp', 'manifest.json']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
