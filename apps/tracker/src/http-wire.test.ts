import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { Counters } from './counters.js';
import type { WireRequest, WireResponse } from './http-routes.js';
import { createWireServer, type WireLimits, type WireServer } from './http-wire.js';
import { handleTransport } from './tcp-handle-transport.js';
import { socketTransport } from './tcp-socket-transport.js';
import { defaultTcpTransport, type TcpTransport } from './tcp-transport.js';
import { silentLog } from './test-tracker.js';
import { bytesOf, mutated, splitAt } from '../../../test/helpers/fuzz.js';
import { waitUntil } from '../../../test/helpers/wait.js';

/**
 * The HTTP wire on both TCP transports, in process, against raw node:net clients: what each connection gets
 * on the wire (replies, FIN or reset) and that every connection is let go (openConnections() back to 0).
 */

const BIG = 64 * 1024;

const MID = 10 * 1024;
const HUGE = 4 * 1024 * 1024;

/** Echoes the path; /who answers the client's address; /big answers 64 KiB, /mid 10 KiB, /huge 4 MiB; /throw throws. */
function route(r: WireRequest): WireResponse {
  if (r.url === '/throw') throw new Error('route failure');
  const size = r.url === '/big' ? BIG : r.url === '/mid' ? MID : r.url === '/huge' ? HUGE : -1;
  const body = size > 0 ? Buffer.alloc(size, 0x61) : Buffer.from(r.url === '/who' ? r.remoteAddress : r.url, 'latin1');
  return { status: 200, headers: 'Content-Type: text/plain\r\n', body, close: false };
}

const DEFAULT_LIMITS: WireLimits = {
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 10_000,
  maxConnections: 1000,
  maxConnectionsPerAddress: 1000,
  maxConnectionAgeSeconds: 3600,
  maxUrlBytes: 4096,
  isCapExempt: () => false,
};

interface Running {
  readonly port: number;
  readonly wire: WireServer;
  readonly c: Counters;
  stop(): void;
}

const running: Running[] = [];
after(() => {
  for (const r of running) r.stop();
});

async function start(transport: TcpTransport, limits: Partial<WireLimits> = {}, host = '127.0.0.1', ipv6Only = false): Promise<Running> {
  const c = new Counters(0);
  const wire = createWireServer(route, { ...DEFAULT_LIMITS, ...limits }, c, silentLog, transport);
  const a = await wire.listener.listen(host, 0, ipv6Only, 511);
  const r = {
    port: a.port,
    wire,
    c,
    stop() {
      wire.listener.close();
      wire.closeAll();
    },
  };
  running.push(r);
  return r;
}

interface Outcome {
  readonly data: Buffer;
  /** The server's FIN was seen (an orderly close), as opposed to a reset. */
  readonly ended: boolean;
  readonly error: string | null;
}

/** Connects, sends each chunk, optionally half-closes, and collects everything until the connection is gone. */
function exchange(
  port: number,
  chunks: ReadonlyArray<string | Buffer>,
  opts: { halfClose?: boolean; host?: string; endAfterBytes?: number; readAfterMs?: number } = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let got = 0;
    let ended = false;
    let error: string | null = null;
    const s = net.connect(port, opts.host ?? '127.0.0.1', () => {
      for (const c of chunks) s.write(c);
      if (opts.halfClose === true) s.end();
      if (opts.readAfterMs !== undefined) {
        s.pause();
        setTimeout(() => s.resume(), opts.readAfterMs);
      }
    });
    s.on('data', (d) => {
      parts.push(d);
      got += d.length;
      if (opts.endAfterBytes !== undefined && got >= opts.endAfterBytes) s.end();
    });
    s.on('end', () => {
      ended = true;
    });
    s.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    s.on('close', () => resolve({ data: Buffer.concat(parts), ended, error }));
  });
}

function request(path: string, close = false): string {
  return `GET ${path} HTTP/1.1\r\nHost: t\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;
}

/** The replies in a byte string, in order: [status, body] each. */
function replies(data: Buffer): Array<[number, string]> {
  const out: Array<[number, string]> = [];
  let text = data.toString('latin1');
  while (text.length > 0) {
    const end = text.indexOf('\r\n\r\n');
    assert.ok(end > 0, `a whole head in ${JSON.stringify(text.slice(0, 80))}`);
    const head = text.slice(0, end);
    const len = Number(/content-length: (\d+)/i.exec(head)?.[1]);
    out.push([Number(head.slice(9, 12)), text.slice(end + 4, end + 4 + len)]);
    text = text.slice(end + 4 + len);
  }
  return out;
}

test('this Node has the libuv handles the fast transport expects, and it is the default', () => {
  // fails on a Node whose tcp_wrap / stream_wrap changed: the tracker would then run on node:net, slower
  assert.equal(handleTransport()?.name, 'libuv');
  assert.equal(defaultTcpTransport().name, 'libuv');
});

for (const transport of [handleTransport()!, socketTransport]) {
  describe(`HTTP wire on ${transport.name}`, () => {
    test('one request with Connection: close: the reply, then the FIN; nothing stays open', async () => {
      const r = await start(transport);
      const o = await exchange(r.port, [request('/a?b=1', true)]);
      assert.deepEqual(replies(o.data), [[200, '/a?b=1']]);
      assert.equal(o.ended, true, 'an orderly close');
      assert.equal(o.error, null);
      await waitUntil(() => r.wire.openConnections() === 0, 5000, 25, 'no open connection');
      assert.equal(r.c.tcpAccepts, 1);
      assert.equal(r.c.tcpRequests, 1);
    });

    test('keep-alive: 300 pipelined requests in one write, answered in order; the client ends, the server closes', async () => {
      const r = await start(transport);
      const paths = Array.from({ length: 300 }, (_, i) => `/p${i}`);
      const o = await exchange(r.port, [paths.map((p) => request(p)).join('')], { endAfterBytes: 1 });
      // endAfterBytes: the client half-closes after the first bytes; the server still answers everything sent
      assert.deepEqual(
        replies(o.data).map(([, body]) => body),
        paths,
      );
      assert.equal(o.ended, true);
      await waitUntil(() => r.wire.openConnections() === 0, 5000, 25, 'no open connection');
    });

    test('a client that does not read: reading stops at the output cap, and everything arrives once it reads', async () => {
      const r = await start(transport);
      const n = 100;
      const s = net.connect(r.port, '127.0.0.1');
      await new Promise<void>((res) => s.once('connect', () => res()));
      s.pause();
      s.write(Array.from({ length: n }, () => request('/big')).join(''));
      await waitUntil(() => r.c.tcpPaused >= 1, 5000, 25, 'the wire to pause reading');
      const parts: Buffer[] = [];
      let got = 0;
      const replyBytes = BIG + 80;
      await new Promise<void>((res) => {
        s.on('data', (d) => {
          parts.push(d);
          got += d.length;
          if (got >= n * BIG) res();
        });
        s.resume();
      });
      s.end();
      await new Promise((res) => s.once('close', res));
      const all = replies(Buffer.concat(parts));
      assert.equal(all.length, n);
      assert.ok(all.every(([status, body]) => status === 200 && body.length === BIG));
      assert.ok(got < n * replyBytes, 'reply heads are short');
      await waitUntil(() => r.wire.openConnections() === 0, 5000, 25, 'no open connection');
    });

    test('a bad request followed by more bytes: the 400 arrives whole, then a FIN, no reset', async () => {
      const r = await start(transport);
      const junk = Buffer.alloc(200 * 1024, 0x78);
      const o = await exchange(r.port, ['NOT HTTP\r\n\r\n', junk, junk], { halfClose: true });
      assert.equal(replies(o.data)[0]![0], 400);
      assert.equal(o.error, null, 'no reset: the server read the rest before closing');
      assert.equal(o.ended, true);
      await waitUntil(() => r.wire.openConnections() === 0, 5000, 25, 'no open connection');
    });

    test('requests and the client FIN at once, read late: every reply arrives whole before the close', async () => {
      const r = await start(transport);
      // 1,000 x 10 KiB is more than the kernel buffers while the client waits, so the wire reads the FIN
      // while replies still wait to be sent (below the output cap, reading is not paused)
      const o = await exchange(r.port, [request('/mid').repeat(1000)], { halfClose: true, readAfterMs: 300 });
      const got = replies(o.data);
      assert.equal(got.length, 1000);
      assert.ok(got.every(([s, b]) => s === 200 && b.length === MID));
      assert.equal(o.ended, true);
      await waitUntil(() => r.wire.openConnections() === 0, 5000, 25, 'no open connection');
    });

    test('a closing reply larger than the kernel takes, and the client FIN meanwhile: the reply arrives whole', async () => {
      const r = await start(transport);
      const o = await exchange(r.port, [request('/huge', true)], { halfClose: true, readAfterMs: 300 });
      assert.deepEqual(
        replies(o.data).map(([s, b]) => [s, b.length]),
        [[200, HUGE]],
      );
      assert.equal(o.ended, true);
      await waitUntil(() => r.wire.openConnections() === 0, 5000, 25, 'no open connection');
    });

    test('a route that throws: 500 for that request, the next pipelined one is served', async () => {
      const r = await start(transport);
      const o = await exchange(r.port, [request('/throw') + request('/ok', true)]);
      assert.deepEqual(replies(o.data), [
        [500, 'Internal Server Error\n'],
        [200, '/ok'],
      ]);
    });

    test('clients that reset mid-request or mid-reply leave nothing open, and the server goes on', async () => {
      const r = await start(transport);
      for (let i = 0; i < 20; i++) {
        const s = net.connect(r.port, '127.0.0.1');
        await new Promise<void>((res) => s.once('connect', () => res()));
        s.write(i % 2 === 0 ? 'GET /half' : request('/big').repeat(50));
        await new Promise((res) => setTimeout(res, 5));
        s.resetAndDestroy();
      }
      await waitUntil(() => r.wire.openConnections() === 0, 5000, 25, 'no open connection');
      const o = await exchange(r.port, [request('/after', true)]);
      assert.deepEqual(replies(o.data), [[200, '/after']]);
    });

    test('caps: past the total, new connections are closed at accept; past the per-address cap too', async () => {
      const r = await start(transport, { maxConnections: 3, maxConnectionsPerAddress: 1000 });
      const held = await Promise.all(
        [0, 1, 2].map(
          () =>
            new Promise<net.Socket>((res) => {
              const s = net.connect(r.port, '127.0.0.1', () => res(s));
            }),
        ),
      );
      await waitUntil(() => r.wire.openConnections() === 3, 5000, 25, 'three open');
      const refused = await exchange(r.port, [request('/x', true)]);
      assert.equal(refused.data.length, 0, 'no reply past the total cap');
      assert.equal(r.c.tcpRefusedTotal, 1);
      for (const s of held) s.destroy();
      await waitUntil(() => r.wire.openConnections() === 0, 5000, 25, 'none open');
      const ok = await exchange(r.port, [request('/x', true)]);
      assert.deepEqual(replies(ok.data), [[200, '/x']], 'freed slots are usable again');

      const p = await start(transport, { maxConnections: 100, maxConnectionsPerAddress: 2 });
      const two = await Promise.all(
        [0, 1].map(
          () =>
            new Promise<net.Socket>((res) => {
              const s = net.connect(p.port, '127.0.0.1', () => res(s));
            }),
        ),
      );
      await waitUntil(() => p.wire.openConnections() === 2, 5000, 25, 'two open');
      const third = await exchange(p.port, [request('/x', true)]);
      assert.equal(third.data.length, 0);
      assert.equal(p.c.tcpRefusedPerAddress, 1);
      for (const s of two) s.destroy();
      await waitUntil(() => p.wire.openConnections() === 0, 5000, 25, 'none open');
    });

    test('an incomplete head is cut off by the header timeout (the sweep runs every second)', async () => {
      const r = await start(transport, { headersTimeoutMs: 200 });
      const t0 = Date.now();
      const o = await exchange(r.port, ['GET /slow HTTP/1.1\r\nHost: t\r\n']);
      assert.equal(o.data.length, 0);
      assert.ok(Date.now() - t0 < 3000);
      await waitUntil(() => r.wire.openConnections() === 0, 5000, 25, 'none open');
    });

    test('listen: a port in use is EADDRINUSE; IPv6 loopback serves', async () => {
      const r = await start(transport);
      const c = new Counters(0);
      const second = createWireServer(route, DEFAULT_LIMITS, c, silentLog, transport);
      await assert.rejects(second.listener.listen('127.0.0.1', r.port, false, 511), { code: 'EADDRINUSE' });
      second.closeAll();
      const v6 = await start(transport, {}, '::1');
      const o = await exchange(v6.port, [request('/six', true)], { host: '::1' });
      assert.deepEqual(replies(o.data), [[200, '/six']]);
    });

    test("'::' serves IPv6 and, unless IPv6-only, IPv4 clients (seen as mapped addresses)", async () => {
      const dual = await start(transport, {}, '::');
      assert.deepEqual(replies((await exchange(dual.port, [request('/who', true)], { host: '::1' })).data), [[200, '::1']]);
      assert.deepEqual(replies((await exchange(dual.port, [request('/who', true)])).data), [[200, '::ffff:127.0.0.1']]);
      const only = await start(transport, {}, '::', true);
      // the IPv4 side of that port is left free: binding it succeeds
      const c = new Counters(0);
      const same = createWireServer(route, DEFAULT_LIMITS, c, silentLog, transport);
      running.push({
        port: 0,
        wire: same,
        c,
        stop() {
          same.listener.close();
          same.closeAll();
        },
      });
      await same.listener.listen('127.0.0.1', only.port, false, 511);
    });

    test('fuzz: concurrent clients sending mutated and split requests, half-closing or resetting at random: all connections end, the server still answers', async () => {
      const r = await start(transport, { headersTimeoutMs: 500, keepAliveTimeoutMs: 500 });
      // request streams as clients send them, mutated byte by byte or not, or raw bytes; cut anywhere
      const streamArb = fc
        .array(
          fc.constantFrom(
            request('/a'),
            request('/big'),
            request('/c', true),
            'GET / HTTP/1.0\r\n\r\n',
            'POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello',
          ),
          { maxLength: 6 },
        )
        .map((parts): Uint8Array => bytesOf(parts.join('')));
      const clientArb = fc.record({
        chunks: fc
          .tuple(fc.oneof(streamArb, mutated(streamArb), fc.uint8Array({ maxLength: 300 })), fc.array(fc.nat(), { maxLength: 6 }))
          .map(([bytes, cuts]) => splitAt(Buffer.from(bytes), cuts)),
        finish: fc.constantFrom('end', 'reset', 'destroy', 'wait'),
        delayMs: fc.integer({ min: 0, max: 30 }),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(clientArb, { minLength: 1, maxLength: 8 }), async (clients) => {
          await Promise.all(
            clients.map(
              (cl) =>
                new Promise<void>((res) => {
                  const s = net.connect(r.port, '127.0.0.1');
                  s.on('error', () => {});
                  s.on('data', () => {});
                  s.on('close', () => res());
                  s.on('connect', () => {
                    for (const c of cl.chunks) s.write(c);
                    setTimeout(() => {
                      if (cl.finish === 'end') s.end();
                      else if (cl.finish === 'reset') s.resetAndDestroy();
                      else if (cl.finish === 'destroy') s.destroy();
                      // 'wait': the server's timeouts or its close end it
                      else setTimeout(() => s.destroy(), 3000);
                    }, cl.delayMs);
                  });
                }),
            ),
          );
          await waitUntil(() => r.wire.openConnections() === 0, 4000, 25, 'every connection let go');
        }),
        { numRuns: 40, seed: 4242 },
      );
      const o = await exchange(r.port, [request('/still', true)]);
      assert.deepEqual(replies(o.data), [[200, '/still']]);
    });

    test('property: concurrent clients whose requests arrive cut up and interleaved each get their own replies, in order', async () => {
      // the libuv transport reads every connection into one shared buffer: a chunk must be consumed before the
      // next read of any connection lands there
      const r = await start(transport);
      const clientArb = fc.record({
        paths: fc.array(fc.stringMatching(/^[a-z0-9]{1,12}$/), { minLength: 1, maxLength: 12 }),
        cuts: fc.array(fc.nat(), { maxLength: 10 }),
        gapMs: fc.integer({ min: 0, max: 4 }),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(clientArb, { minLength: 2, maxLength: 10 }), async (clients) => {
          const got = await Promise.all(
            clients.map(
              (cl, n) =>
                new Promise<Buffer>((resolve) => {
                  const paths = cl.paths.map((p, i) => `/c${n}/${i}/${p}`);
                  const bytes = Buffer.from(paths.map((p, i) => request(p, i === paths.length - 1)).join(''), 'latin1');
                  const chunks = splitAt(bytes, cl.cuts);
                  const parts: Buffer[] = [];
                  const s = net.connect(r.port, '127.0.0.1');
                  s.setNoDelay(true);
                  s.on('error', () => {});
                  s.on('data', (d) => parts.push(d));
                  // replies that never complete end the connection here, and the comparison below fails
                  const deadline = setTimeout(() => s.destroy(), 3000);
                  s.on('close', () => {
                    clearTimeout(deadline);
                    resolve(Buffer.concat(parts));
                  });
                  const send = (k: number): void => {
                    if (k === chunks.length) return;
                    s.write(chunks[k]!);
                    setTimeout(() => send(k + 1), cl.gapMs);
                  };
                  s.on('connect', () => send(0));
                }),
            ),
          );
          got.forEach((data, n) => {
            const want = clients[n]!.paths.map((p, i): [number, string] => [200, `/c${n}/${i}/${p}`]);
            assert.deepEqual(replies(data), want);
          });
        }),
        { numRuns: 30, seed: 7171, endOnFailure: true },
      );
      await waitUntil(() => r.wire.openConnections() === 0, 5000, 25, 'every connection let go');
    });
  });
}
