import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from './config/config-error.js';
import { chooseLogFormat, createLogger } from './log.js';
import { createFdSink } from './log-sink.js';

function memorySink(): { sink: ReturnType<typeof createFdSink>; text: () => string } {
  const chunks: Buffer[] = [];
  const sink = createFdSink(1, (_fd, buf, off) => {
    chunks.push(Buffer.from(buf.subarray(off)));
    return buf.length - off;
  });
  return { sink, text: () => Buffer.concat(chunks).toString() };
}

test('format: a terminal gets pretty lines, anything else JSON; LOG_FORMAT wins', () => {
  assert.equal(chooseLogFormat({}, true), 'pretty');
  assert.equal(chooseLogFormat({}, false), 'json');
  assert.equal(chooseLogFormat({ LOG_FORMAT: 'json' }, true), 'json');
  assert.equal(chooseLogFormat({ LOG_FORMAT: 'pretty' }, false), 'pretty');
  assert.equal(chooseLogFormat({ LOG_FORMAT: 'auto' }, false), 'json');
  assert.throws(
    () => chooseLogFormat({ LOG_FORMAT: 'yaml' }, false),
    (e: unknown) => e instanceof ConfigError && /LOG_FORMAT/.test(e.message),
  );
});

test('json lines carry the app; pretty lines are for people', () => {
  const j = memorySink();
  createLogger('tracker', 'info', { format: 'json', sink: j.sink }).info({ port: 6969 }, 'listening');
  const rec = JSON.parse(j.text()) as Record<string, unknown>;
  assert.equal(rec['app'], 'tracker');
  assert.equal(rec['msg'], 'listening');
  const p = memorySink();
  createLogger('tracker', 'info', { format: 'pretty', sink: p.sink, colorize: false }).warn({ port: 6969 }, 'listening');
  assert.match(p.text(), /^\[\d\d:\d\d:\d\d\] WARN: tracker: listening \{"port":6969\}\n$/);
});

test('a logger whose output is gone keeps working silently', () => {
  const sink = createFdSink(1, () => {
    throw Object.assign(new Error('EIO'), { code: 'EIO' });
  });
  const log = createLogger('suite', 'info', { format: 'pretty', sink });
  for (let i = 0; i < 100; i++) log.error({ i }, 'into the void');
  assert.equal(sink.closedBy, 'EIO');
});
