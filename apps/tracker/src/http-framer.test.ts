import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Counters } from './counters.js';
import { MAX_BUFFERED_INPUT, MAX_PENDING_OUTPUT, TEXT_HEADERS, createFramer } from './http-framer.js';
import type { WireRequest, WireResponse } from './http-routes.js';
import { FakeSink, newConn } from '../../../test/helpers/frame-sink.js';

function ok(body: string | Buffer): WireResponse {
  return { status: 200, headers: TEXT_HEADERS, body: typeof body === 'string' ? Buffer.from(body) : body, close: false };
}

function setup(route: (r: WireRequest) => WireResponse) {
  const counters = new Counters(0);
  const errors: unknown[] = [];
  const framer = createFramer({ route, counters, onRouteError: (err) => errors.push(err), maxUrlBytes: 8192 });
  const sink = new FakeSink();
  const conn = newConn(sink);
  return { framer, sink, conn, counters, errors };
}

const GET = (path: string): string => `GET ${path} HTTP/1.1\r\nHost: t\r\n\r\n`;

/** Status codes of the replies in a byte stream. */
function statuses(text: string): number[] {
  return [...text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));
}

describe('HTTP framer', () => {
  test('pipelined requests whose chunks end mid-request: the header clock restarts at each complete request', () => {
    const { framer, sink, conn } = setup((r) => ok(r.url));
    // each chunk finishes one request and starts the next, for 60 s in 1 s steps
    const req = GET('/x');
    const cut = 7;
    framer.feed(conn, req.slice(0, cut), 0);
    for (let t = 1; t <= 60; t++) {
      framer.feed(conn, req.slice(cut) + req.slice(0, cut), t * 1000);
      assert.equal(conn.pendingSince, t * 1000, `at ${t} s the pending head started now`);
    }
    assert.equal(statuses(sink.text()).length, 60);
    // a head that stays incomplete keeps its start time
    framer.feed(conn, 'GET /y', 61_000);
    assert.equal(conn.pendingSince, 60_000);
    framer.feed(conn, ' HTTP/1.1\r\nHost: t\r\n\r\n', 62_000);
    assert.equal(conn.pendingSince, 0, 'nothing pending after a complete request');
  });

  test('a route that throws gives that request a 500; the next pipelined request is served', () => {
    const { framer, sink, conn, counters, errors } = setup((r) => {
      if (r.url === '/boom') throw new Error('bug');
      return ok('fine');
    });
    framer.feed(conn, GET('/a') + GET('/boom') + GET('/b'), 0);
    assert.deepEqual(statuses(sink.text()), [200, 500, 200]);
    assert.equal(conn.closing, false);
    assert.equal(counters.tcpErrors, 1);
    assert.equal(errors.length, 1);
  });

  test('pending output is capped: reading stops until the output drains, then resumes in order', () => {
    const big = Buffer.alloc(1024 * 1024, 0x61);
    let built = 0;
    const { framer, sink, conn, counters } = setup(() => {
      built++;
      return ok(big);
    });
    const burst = GET('/scrape').repeat(450);
    framer.feed(conn, burst, 0);
    assert.equal(built, 1, 'one reply, then paused');
    assert.equal(conn.paused, true);
    assert.ok(conn.buf.length < burst.length);
    let rounds = 0;
    while (conn.paused) {
      sink.drain();
      framer.resume(conn, 0);
      rounds++;
      assert.ok(sink.queued <= big.length + 200, 'never more than one reply beyond the cap');
    }
    assert.equal(built, 450);
    assert.equal(rounds, 450);
    assert.equal(statuses(sink.text()).length, 450);
    assert.ok(counters.tcpPaused >= 450);
    // the big body went out as the same Buffer, not copied into a string
    assert.ok(sink.chunks.includes(big));
  });

  test('small replies are joined per chunk but flushed before the cap', () => {
    const { framer, sink, conn } = setup(() => ok('d8:intervali1800ee'));
    framer.feed(conn, GET('/announce').repeat(2000), 0);
    // the peer never reads: framing stops soon after MAX_PENDING_OUTPUT bytes
    assert.equal(conn.paused, true);
    assert.ok(sink.queued >= MAX_PENDING_OUTPUT && sink.queued < MAX_PENDING_OUTPUT + 16 * 1024, `queued ${sink.queued}`);
  });

  test('input sent while paused beyond one read is refused with 431 and a close', () => {
    const { framer, sink, conn } = setup(() => ok(Buffer.alloc(64 * 1024)));
    framer.feed(conn, GET('/a') + GET('/b'), 0);
    assert.equal(conn.paused, true);
    framer.feed(conn, 'x'.repeat(MAX_BUFFERED_INPUT), 0);
    assert.equal(sink.ended, true);
    assert.equal(conn.buf, '');
    assert.deepEqual(statuses(sink.text()), [200, 431]);
  });

  test('garbage gets 400 and a close; a head over 24 KiB gets 431; nothing is read after', () => {
    let s = setup(() => ok('x'));
    s.framer.feed(s.conn, GET('/a') + 'HELLO\r\n\r\n' + GET('/b'), 0);
    assert.deepEqual(statuses(s.sink.text()), [200, 400]);
    assert.ok(s.sink.ended && s.conn.closing);
    s.framer.feed(s.conn, GET('/c'), 0);
    assert.equal(s.sink.writesAfterEnd, 0);
    s = setup(() => ok('x'));
    s.framer.feed(s.conn, 'GET /' + 'a'.repeat(25 * 1024), 0);
    assert.deepEqual(statuses(s.sink.text()), [431]);
  });

  test('HEAD gets the headers with the body length and no body; an aged connection closes at its next reply', () => {
    const { framer, sink, conn } = setup(() => ok('12345'));
    framer.feed(conn, 'HEAD /a HTTP/1.1\r\nHost: t\r\n\r\n', 0);
    assert.match(sink.text(), /^HTTP\/1\.1 200 OK\r\n[\s\S]*Content-Length: 5\r\n\r\n$/);
    conn.aged = true;
    framer.feed(conn, GET('/b'), 0);
    assert.match(sink.text(), /Connection: close\r\n\r\n12345$/);
    assert.ok(sink.ended);
  });

  test("a closing reply lingers for the client's end only when the client may still be sending", () => {
    class LingerSink extends FakeSink {
      linger: boolean | null = null;
      override end(data: string | Buffer, linger?: boolean): void {
        this.linger = linger ?? null;
        super.end(data);
      }
    }
    const run = (input: string, res: WireResponse = ok('x')): boolean | null => {
      const sink = new LingerSink();
      const conn = newConn(sink);
      createFramer({ route: () => res, counters: new Counters(0), onRouteError: () => {}, maxUrlBytes: 8192 }).feed(conn, input, 0);
      assert.ok(sink.ended);
      return sink.linger;
    };
    const close = 'GET /a HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n';
    // one request with Connection: close and nothing after it: closed as soon as the reply is handed over
    assert.equal(run(close), false);
    assert.equal(run('GET /a HTTP/1.0\r\n\r\n'), false);
    // bytes after it, an error reply, a route that closes (a body it did not read): wait for the client
    assert.equal(run(close + 'GET /b'), true);
    assert.equal(run('HELLO\r\n\r\n'), true);
    assert.equal(run(GET('/a'), { ...ok('x'), status: 413, close: true }), true);
  });
});
