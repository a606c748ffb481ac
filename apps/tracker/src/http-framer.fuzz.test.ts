import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FakeSink, newConn } from '../../../test/helpers/frame-sink.js';
import { bytesOf, latin1, mutated, splitAt } from '../../../test/helpers/fuzz.js';
import { Counters } from './counters.js';
import {
  MAX_BUFFERED_INPUT,
  MAX_HEAD_BYTES,
  MAX_HEADER_BYTES,
  MAX_HEADERS,
  MAX_PENDING_OUTPUT,
  TEXT_HEADERS,
  createFramer,
  parseHead,
} from './http-framer.js';
import type { WireRequest, WireResponse } from './http-routes.js';

/**
 * Fuzz of the HTTP framer: generated requests, mutated requests and raw bytes, cut into arbitrary chunks,
 * with a peer that sometimes stops reading. For every input: nothing throws, every reply is a well-formed
 * HTTP/1.x response whose Content-Length matches its body (none after HEAD), replies come in request order,
 * at most one error reply ends the stream and nothing is written after it, and the buffered input and
 * queued output stay under their caps. Each complete request head gets the reply the transport limits call for
 * (405, 413, 431, 414, checked again here from parseHead's fields), or goes to the route, in order.
 * 110,000 inputs in all.
 */

const SEED = 42;
/** Small enough that generated URLs cross it. */
const MAX_URL_BYTES = 40;
const BIG = Buffer.alloc(20 * 1024, 0x62);

/** A route whose reply depends on the URL: small and large bodies, other statuses, closes, throws. */
function makeRoute(methods: string[]): (r: WireRequest) => WireResponse {
  return (r) => {
    const i = methods.length;
    methods.push(r.method);
    const k = r.url.length % 7;
    const tag = Buffer.from(`#${i};`);
    switch (k) {
      case 0:
        throw new Error('route bug');
      case 1:
        return { status: 200, headers: TEXT_HEADERS, body: Buffer.concat([tag, BIG]), close: false };
      case 2:
        return { status: 404, headers: TEXT_HEADERS, body: tag, close: false };
      case 3:
        return { status: 413, headers: TEXT_HEADERS, body: tag, close: true };
      case 4:
        return { status: 200, headers: 'Content-Type: text/plain\r\nVary: Accept-Encoding\r\n', body: tag, close: false };
      default:
        return { status: 200, headers: TEXT_HEADERS, body: tag, close: false };
    }
  };
}

interface Reply {
  status: number;
  bodyLen: number;
  body: Buffer;
}

/** What the framer must do with each complete head of the input, in order: a status, or 0 for "routed". */
function framingPlan(input: string): Array<{ method: string; status: number }> {
  const plan: Array<{ method: string; status: number }> = [];
  let rest = input;
  for (let end = rest.indexOf('\r\n\r\n'); end >= 0; end = rest.indexOf('\r\n\r\n')) {
    const p = parseHead(rest.slice(0, end), '127.0.0.1');
    rest = rest.slice(end + 4);
    if (p === null) {
      plan.push({ method: '', status: 400 });
      break;
    }
    const { method, url } = p.request;
    const status =
      method !== 'GET' && method !== 'HEAD'
        ? 405
        : p.hasBody
          ? 413
          : p.headerCount > MAX_HEADERS || p.headerBytes > MAX_HEADER_BYTES
            ? 431
            : url.length > MAX_URL_BYTES
              ? 414
              : 0;
    plan.push({ method, status });
  }
  return plan;
}

/** Parses the whole output; throws unless it is a clean sequence of responses. */
function parseReplies(out: Buffer, methods: readonly (string | undefined)[]): Reply[] {
  const replies: Reply[] = [];
  let off = 0;
  while (off < out.length) {
    const end = out.indexOf('\r\n\r\n', off);
    assert.ok(end >= 0, `incomplete head at ${off}`);
    const head = out.toString('latin1', off, end);
    const lines = head.split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3}) [A-Za-z -]+$/.exec(lines[0]!);
    assert.ok(m !== null, `status line ${JSON.stringify(lines[0])}`);
    const lengths = lines.slice(1).filter((l) => /^content-length:/i.test(l));
    assert.equal(lengths.length, 1, 'one Content-Length');
    for (const l of lines.slice(1)) assert.match(l, /^[A-Za-z-]+: [^\r\n]*$/);
    const bodyLen = Number(lengths[0]!.split(':')[1]!.trim());
    const isHead = methods[replies.length] === 'HEAD';
    const bodyEnd = end + 4 + (isHead ? 0 : bodyLen);
    assert.ok(bodyEnd <= out.length, 'body shorter than Content-Length');
    replies.push({ status: Number(m[1]), bodyLen, body: out.subarray(end + 4, bodyEnd) });
    off = bodyEnd;
  }
  return replies;
}

interface Feed {
  chunks: Buffer[];
  reads: boolean[];
}

function run(feed: Feed): void {
  const methods: string[] = [];
  const counters = new Counters(0);
  const framer = createFramer({ route: makeRoute(methods), counters, onRouteError: () => {}, maxUrlBytes: MAX_URL_BYTES });
  const sink = new FakeSink();
  const conn = newConn(sink);
  let now = 0;
  feed.chunks.forEach((chunk, i) => {
    now += 100;
    framer.feed(conn, latin1(chunk), now);
    // at most one reply beyond the cap (and a joined run of small ones) is queued for a peer that does not read
    const maxQueued = MAX_PENDING_OUTPUT + BIG.length + 16 * 1024;
    assert.ok(sink.queued <= maxQueued, `queued ${sink.queued}`);
    // the peer reads (the socket drains) or not
    if (feed.reads[i % feed.reads.length] !== false) {
      while (conn.paused) {
        sink.drain();
        framer.resume(conn, now);
        assert.ok(sink.queued <= maxQueued, `queued ${sink.queued}`);
      }
    }
    assert.ok(conn.buf.length <= MAX_BUFFERED_INPUT, `buffered ${conn.buf.length}`);
    if (!conn.paused) {
      assert.ok(conn.buf.length <= MAX_HEAD_BYTES, 'unframed input beyond one head');
      assert.ok(!conn.buf.includes('\r\n\r\n'), 'a complete head left unanswered');
    }
  });
  assert.equal(sink.writesAfterEnd, 0, 'nothing written after the end');
  const plan = framingPlan(feed.chunks.map(latin1).join(''));
  const replies = parseReplies(
    Buffer.concat(sink.chunks),
    plan.map((p) => p.method),
  );
  let routed = 0;
  replies.forEach((r, i) => {
    const p = plan[i];
    const last = i === replies.length - 1;
    // garbage, a head over 24 KiB before its end arrived, or input sent while paused: one framing error ends the stream
    if (last && (r.status === 400 || r.status === 431)) {
      assert.ok(sink.ended, 'a framing error reply closes');
      return;
    }
    assert.ok(p !== undefined, `reply ${i} answers no request`);
    if (p.status !== 0) {
      assert.equal(r.status, p.status, `reply ${i} is the transport limit's`);
      if (p.status !== 405) assert.ok(last && sink.ended, `a ${p.status} closes`);
      return;
    }
    assert.equal(methods[routed], p.method, `routed request ${routed} in order`);
    if (r.status !== 500 && p.method !== 'HEAD') assert.ok(r.body.toString('latin1').startsWith(`#${routed};`), `reply ${i} in order`);
    routed++;
  });
  assert.equal(routed, methods.length, `${replies.length} replies for ${methods.length} routed requests`);
}

const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
const headerArb = fc.oneof(
  fc.tuple(token, fc.string({ maxLength: 40 })).map(([k, v]) => `${k}: ${v}`),
  fc.constantFrom(
    'Connection: close',
    'Connection: keep-alive',
    'Content-Length: 5',
    'Content-Length: 0',
    'Transfer-Encoding: chunked',
    'Accept-Encoding: gzip',
    'X-Forwarded-For: 1.2.3.4',
    ' folded',
    'NoColon',
    ': empty',
  ),
);
const requestArb = fc
  .record({
    method: fc.oneof(fc.constantFrom('GET', 'GET', 'GET', 'HEAD', 'POST'), token),
    url: fc.oneof(
      fc.constantFrom('/announce?info_hash=%AA%BB&port=1', '/scrape', '/scrape?info_hash=x', '/stats', '/', '//announce', '*'),
      fc.string({ unit: 'binary-ascii', maxLength: 60 }).map((s) => '/' + s),
    ),
    version: fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'http/1.1', ''),
    host: fc.boolean(),
    headers: fc.array(headerArb, { maxLength: 4 }),
    lead: fc.constantFrom('', '', '\r\n'),
  })
  .map(
    (r) => `${r.lead}${r.method} ${r.url} ${r.version}\r\n${r.host ? 'Host: t\r\n' : ''}${r.headers.map((h) => h + '\r\n').join('')}\r\n`,
  );
const streamArb = fc.array(requestArb, { minLength: 1, maxLength: 6 }).map((rs) => bytesOf(rs.join('')));
const cutsArb = fc.array(fc.nat(), { maxLength: 8 });
const readsArb = fc.array(fc.boolean(), { minLength: 1, maxLength: 4 });

function feedOf(data: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Feed> {
  return fc.tuple(data, cutsArb, readsArb).map(([d, cuts, reads]) => ({ chunks: splitAt(Buffer.from(d), cuts), reads }));
}

test('fuzz: generated pipelined requests in arbitrary chunks (40,000)', () => {
  fc.assert(
    fc.property(feedOf(streamArb), (f) => run(f)),
    { seed: SEED, numRuns: 40_000 },
  );
});

test('fuzz: mutated requests (40,000)', () => {
  fc.assert(
    fc.property(feedOf(mutated(streamArb)), (f) => run(f)),
    { seed: SEED + 1, numRuns: 40_000 },
  );
});

test('fuzz: raw bytes, and long heads near the 24 KiB limit (30,000)', () => {
  const raw = fc.uint8Array({ maxLength: 400 });
  const long = fc
    .tuple(fc.integer({ min: MAX_HEAD_BYTES - 64, max: MAX_HEAD_BYTES + 64 }), fc.boolean())
    .map(([n, done]) => bytesOf(`GET /${'a'.repeat(n)}${done ? ' HTTP/1.1\r\nHost: t\r\n\r\n' : ''}`));
  fc.assert(
    fc.property(feedOf(fc.oneof({ weight: 20, arbitrary: raw }, { weight: 1, arbitrary: long })), (f) => run(f)),
    { seed: SEED + 2, numRuns: 30_000 },
  );
  assert.ok(process.memoryUsage().heapUsed < 512 * 1024 * 1024, 'heap stays bounded');
});
