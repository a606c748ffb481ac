import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { cappedGet } from './capped-get.js';

const LIMITS = { maxWireBytes: 64 * 1024, maxBodyBytes: 1024 * 1024, timeoutMs: 1500 };

describe('cappedGet against a hostile server', () => {
  let srv: http.Server;
  let base = '';
  const timers = new Set<NodeJS.Timeout>();
  // 300 MiB of zeros gzip to ~300 KB; 64 MiB to ~65 KB: a bomb under the wire cap.
  const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024));

  before(async () => {
    srv = http.createServer((req, res) => {
      const p = req.url ?? '';
      if (p === '/plain') return void res.end('hello');
      if (p === '/gzip-header') return void res.writeHead(200, { 'Content-Encoding': 'gzip' }).end(gzipSync('zipped'));
      if (p === '/gzip-silent') return void res.end(gzipSync('silent'));
      if (p === '/bomb') return void res.writeHead(200, { 'Content-Encoding': 'gzip' }).end(bomb);
      if (p === '/bomb-silent') return void res.end(bomb);
      if (p === '/bad-gzip') return void res.writeHead(200, { 'Content-Encoding': 'gzip' }).end(gzipSync('x').subarray(0, 8));
      if (p === '/big-length') return void res.writeHead(200, { 'Content-Length': String(10 * 1024 * 1024) }).end();
      if (p === '/endless') {
        res.writeHead(200);
        const chunk = Buffer.alloc(16 * 1024, 0x41);
        const pump = (): void => {
          while (res.write(chunk));
        };
        res.on('drain', pump);
        pump();
        return;
      }
      if (p === '/slow') {
        res.writeHead(200);
        const t = setInterval(() => res.write('a'), 100);
        timers.add(t);
        res.on('close', () => clearInterval(t));
        return;
      }
      if (p === '/status') return void res.writeHead(404).end('nope');
    });
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  });

  after(() => {
    for (const t of timers) clearInterval(t);
    srv.closeAllConnections();
    srv.close();
  });

  test('plain, declared gzip and silent gzip bodies are decoded', async () => {
    for (const [p, want] of [
      ['/plain', 'hello'],
      ['/gzip-header', 'zipped'],
      ['/gzip-silent', 'silent'],
    ]) {
      const r = await cappedGet(base + p, LIMITS);
      assert.ok(r.ok, p);
      assert.equal(r.body.toString(), want);
    }
    const s = await cappedGet(`${base}/status`, LIMITS);
    assert.ok(s.ok && s.status === 404);
  });

  test('a gzip bomb stops at the decoded cap without growing memory', async () => {
    const before = process.memoryUsage().rss;
    for (const p of ['/bomb', '/bomb-silent']) {
      const r = await cappedGet(base + p, LIMITS);
      assert.ok(!r.ok, p);
      assert.match(r.error, /decoded reply larger than/);
    }
    assert.ok(process.memoryUsage().rss - before < 48 * 1024 * 1024, 'RSS must not grow by the bomb size');
  });

  test('an endless body and a lying Content-Length stop at the wire cap', async () => {
    const r = await cappedGet(`${base}/endless`, LIMITS);
    assert.ok(!r.ok);
    assert.match(r.error, /larger than 65536/);
    const b = await cappedGet(`${base}/big-length`, LIMITS);
    assert.ok(!b.ok);
    assert.match(b.error, /Content-Length/);
  });

  test('a slow body ends at the deadline; a broken gzip and a refused connection are errors', async () => {
    const t0 = Date.now();
    const r = await cappedGet(`${base}/slow`, LIMITS);
    assert.ok(!r.ok);
    assert.match(r.error, /timed out/);
    assert.ok(Date.now() - t0 < 3000);
    const g = await cappedGet(`${base}/bad-gzip`, LIMITS);
    assert.ok(!g.ok);
    assert.match(g.error, /gzip/);
    const c = await cappedGet('http://127.0.0.1:1/x', LIMITS);
    assert.ok(!c.ok);
  });
});
