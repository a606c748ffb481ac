import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { listedIn, scrapeProbe, scrapeRequests, scrapeUrlOf } from './tracker-probe.js';

const A = '0123456789abcdef0123456789abcdef01234567';
const B = 'ff'.repeat(20);

test('scrapeUrlOf: the BEP 48 convention, or null when it does not apply', () => {
  assert.equal(scrapeUrlOf('http://t.example:6969/announce'), 'http://t.example:6969/scrape');
  assert.equal(scrapeUrlOf('https://t.example/x/announce.php?passkey=1'), 'https://t.example/x/scrape.php');
  assert.equal(scrapeUrlOf('http://t.example/tracker'), null);
  assert.equal(scrapeUrlOf('udp://t.example:6969/announce'), null);
  assert.equal(scrapeUrlOf('not a url'), null);
});

test('scrapeRequests: every hash as %XX bytes, 64 per request', () => {
  const hashes = Array.from({ length: 130 }, (_, i) => i.toString(16).padStart(40, '0'));
  const reqs = scrapeRequests('http://h/scrape', hashes);
  assert.deepEqual(
    reqs.map((r) => r.hashes.length),
    [64, 64, 2],
  );
  assert.equal(
    scrapeRequests('http://h/scrape', [A])[0]!.url,
    `http://h/scrape?info_hash=${A.replace(/../g, (b) => `%${b.toUpperCase()}`)}`,
  );
});

function scrapeReply(hashes: readonly string[]): Buffer {
  const parts = hashes.map((h) =>
    Buffer.concat([Buffer.from('20:'), Buffer.from(h, 'hex'), Buffer.from('d8:completei0e10:downloadedi0e10:incompletei0ee')]),
  );
  return Buffer.concat([Buffer.from('d5:filesd'), ...parts, Buffer.from('ee')]);
}

test('listedIn: the hashes with a files entry of a scrape reply', () => {
  assert.deepEqual(listedIn(scrapeReply([A, B]), [A, B]), [A, B]);
  assert.deepEqual(listedIn(scrapeReply([A]), [A, B]), [A]);
  assert.deepEqual(listedIn(Buffer.from('d5:filesdee'), [A]), []);
  assert.deepEqual(
    listedIn(Buffer.concat([Buffer.from('d14:failure reason20:'), Buffer.from(A, 'hex'), Buffer.from('e')]), [A]),
    [],
    'not a scrape',
  );
  // hostile bytes never throw, and list a hash only if they hold it after a 20: length prefix
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const body = Buffer.concat([Buffer.from('d5:files'), bytes]);
      assert.equal(listedIn(body, [A]).length === 1, body.includes(Buffer.concat([Buffer.from('20:'), Buffer.from(A, 'hex')])));
    }),
    { seed: 42, numRuns: 300 },
  );
});

test('scrapeProbe against a server: the hashes reported, null for errors, oversized and non-scrape replies', async () => {
  let reply: (res: http.ServerResponse) => void = (res) => res.end(scrapeReply([A]));
  const server = http.createServer((_req, res) => reply(res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/scrape`;
  try {
    const probe = scrapeProbe(url);
    assert.deepEqual(await probe([A]), new Set([A]));
    assert.deepEqual(await probe([A, B]), new Set([A]));
    reply = (res) => res.end('d14:failure reason3:note');
    assert.equal(await probe([A]), null);
    reply = (res) => {
      res.statusCode = 500;
      res.end();
    };
    assert.equal(await probe([A]), null);
    reply = (res) => res.end(Buffer.concat([scrapeReply([A]), Buffer.alloc(200_000)]));
    assert.equal(await probe([A]), null, 'a reply far larger than a scrape is not read to its end');
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
  assert.equal(await scrapeProbe(url)([A]), null, 'nobody listening');
});
