import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFdSink, type WriteSync } from './log-sink.js';

function failing(code: string): Error {
  return Object.assign(new Error(code), { code, syscall: 'write' });
}

test('a closed terminal (EIO) or a gone reader (EPIPE) turns the sink off, without throwing', () => {
  for (const code of ['EIO', 'EPIPE', 'EBADF']) {
    let calls = 0;
    const sink = createFdSink(1, () => {
      calls++;
      throw failing(code);
    });
    sink.write('a\n');
    sink.write('b\n');
    assert.equal(sink.closedBy, code);
    assert.equal(calls, 1, 'no write is tried once the output is gone');
  }
});

test('a full non-blocking pipe (EAGAIN) drops that line and keeps going', () => {
  const out: string[] = [];
  let full = true;
  const sink = createFdSink(1, (_fd, buf, off) => {
    if (full) throw failing('EAGAIN');
    out.push(buf.subarray(off).toString());
    return buf.length - off;
  });
  sink.write('lost\n');
  full = false;
  sink.write('kept\n');
  assert.deepEqual(out, ['kept\n']);
  assert.equal(sink.dropped, 1);
  assert.equal(sink.closedBy, null);
});

test('short writes are continued until the line is out', () => {
  const out: Buffer[] = [];
  const write: WriteSync = (_fd, buf, off) => {
    out.push(buf.subarray(off, off + 3));
    return Math.min(3, buf.length - off);
  };
  const sink = createFdSink(1, write);
  sink.write('0123456789\n');
  assert.equal(Buffer.concat(out).toString(), '0123456789\n');
});
