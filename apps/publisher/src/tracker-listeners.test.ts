import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { localHost, ownedBy, parseListeners, trackerScrapeUrl } from './tracker-listeners.js';

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1B39 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000000000000000 100 0 0 10 0
   1: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4243 1 0000000000000000 100 0 0 10 0
   2: 0100007F:1B39 0100007F:DD4A 01 00000000:00000000 00:00000000 00000000  1000        0 4244 1 0000000000000000 20 4 30 10 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1B39 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 5000 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000001000000:1B3A 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 5001 1 0000000000000000 100 0 0 10 0
   2: 0000000000000000FFFF00000100007F:1B3B 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 5002 1 0000000000000000 100 0 0 10 0
`;

test('parseListeners: LISTEN sockets of /proc/net/tcp and tcp6 with address, port and inode', () => {
  assert.deepEqual(parseListeners(TCP), [
    { address: '127.0.0.1', port: 6969, inode: '4242' },
    { address: '0.0.0.0', port: 8080, inode: '4243' },
  ]);
  assert.deepEqual(
    parseListeners(TCP6).map((l) => [l.address, l.port, l.inode]),
    [
      ['0:0:0:0:0:0:0:0', 6969, '5000'],
      ['0:0:0:0:0:0:0:1', 6970, '5001'],
      ['0:0:0:0:0:ffff:7f00:1', 6971, '5002'],
    ],
  );
  // whatever the text, no throw and only well-formed rows
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (text) => {
      for (const l of parseListeners(text)) assert.ok(Number.isInteger(l.port) && l.port >= 0 && l.port <= 0xffff && /^\d+$/.test(l.inode));
    }),
    { seed: 42, numRuns: 300 },
  );
});

test('localHost: wildcards become loopback, IPv4-mapped becomes IPv4, IPv6 is bracketed', () => {
  assert.equal(localHost('0.0.0.0'), '127.0.0.1');
  assert.equal(localHost('0:0:0:0:0:0:0:0'), '[::1]');
  assert.equal(localHost('0:0:0:0:0:ffff:7f00:1'), '127.0.0.1');
  assert.equal(localHost('0:0:0:0:0:0:0:1'), '[0:0:0:0:0:0:0:1]');
  assert.equal(localHost('192.0.2.7'), '192.0.2.7');
});

test('ownedBy: only the sockets among the process descriptors', () => {
  assert.deepEqual(
    ownedBy(parseListeners(TCP), new Set(['4243'])).map((l) => l.port),
    [8080],
  );
});

test('trackerScrapeUrl: the scrape URL of a process that listens (this one), none without a listener, null for no process', {
  skip: process.platform !== 'linux' && 'reads /proc',
}, async () => {
  const server = http.createServer((_q, res) => res.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as AddressInfo).port;
    assert.equal(await trackerScrapeUrl(process.pid), `http://127.0.0.1:${port}/scrape`);
  } finally {
    await new Promise((r) => server.close(r));
  }
  assert.equal(await trackerScrapeUrl(process.pid), 'none');
  assert.equal(await trackerScrapeUrl(4194304), null);
});
