import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_QUEUED, createReplyQueue } from './udp-reply-queue.js';
import type { UdpSender } from './udp-server.js';

function recorder(failOn: ReadonlySet<number> = new Set()): UdpSender & { sent: Array<[number, number, string, boolean]> } {
  const sent: Array<[number, number, string, boolean]> = [];
  return {
    sent,
    send(msg, port, address, callback) {
      if (failOn.has(msg[0]!)) throw new Error('socket closed');
      sent.push([msg[0]!, port, address, callback !== undefined]);
    },
  };
}

describe('UDP reply queue', () => {
  test('replies wait for the deferred flush, then go in order with their callbacks', () => {
    const socket = recorder();
    const flushes: Array<() => void> = [];
    const q = createReplyQueue(
      socket,
      () => assert.fail('no send error expected'),
      (f) => flushes.push(f),
    );
    const cb = (): void => {};
    q.send(Buffer.from([1]), 6881, '10.0.0.1');
    q.send(Buffer.from([2]), 6882, '::1', cb);
    q.send(Buffer.from([3]), 6883, '10.0.0.3');
    assert.equal(socket.sent.length, 0, 'nothing sent before the flush');
    assert.equal(flushes.length, 1, 'one flush scheduled for the pass');
    flushes[0]!();
    assert.deepEqual(socket.sent, [
      [1, 6881, '10.0.0.1', false],
      [2, 6882, '::1', true],
      [3, 6883, '10.0.0.3', false],
    ]);
    q.send(Buffer.from([4]), 6884, '10.0.0.4');
    assert.equal(flushes.length, 2, 'the next pass schedules its own flush');
    flushes[1]!();
    assert.equal(socket.sent.length, 4);
  });

  test('a send that throws is counted and the rest still go', () => {
    const socket = recorder(new Set([2]));
    let errors = 0;
    const flushes: Array<() => void> = [];
    const q = createReplyQueue(
      socket,
      () => errors++,
      (f) => flushes.push(f),
    );
    for (const b of [1, 2, 3]) q.send(Buffer.from([b]), 6881, '10.0.0.1');
    flushes[0]!();
    assert.equal(errors, 1);
    assert.deepEqual(
      socket.sent.map((s) => s[0]),
      [1, 3],
    );
  });

  test(`at most ${MAX_QUEUED} replies wait: the next one sends them at once`, () => {
    const socket = recorder();
    const flushes: Array<() => void> = [];
    const q = createReplyQueue(
      socket,
      () => {},
      (f) => flushes.push(f),
    );
    for (let i = 0; i < MAX_QUEUED - 1; i++) q.send(Buffer.from([i & 255]), 6881, '10.0.0.1');
    assert.equal(socket.sent.length, 0);
    q.send(Buffer.from([0]), 6881, '10.0.0.1');
    assert.equal(socket.sent.length, MAX_QUEUED);
    for (const f of flushes) f();
    assert.equal(socket.sent.length, MAX_QUEUED, 'a late flush of an emptied queue sends nothing twice');
  });

  test('with the real event loop: a pass of replies leaves before the next turn', async () => {
    const socket = recorder();
    const q = createReplyQueue(socket, () => {});
    q.send(Buffer.from([9]), 6881, '10.0.0.1');
    assert.equal(socket.sent.length, 0);
    await new Promise((r) => setImmediate(r));
    assert.equal(socket.sent.length, 1);
  });
});
