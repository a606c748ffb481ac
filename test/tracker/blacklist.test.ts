import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startTrackerProcess, type TrackerProcess } from '../helpers/tracker-process.js';
import { httpAnnounce } from '../helpers/announce.js';
import { randomHashHex, NOT_AUTHORIZED } from '../helpers/tracker-urls.js';

/** -b: open mode except the listed hashes, in opentracker's file format, reloaded on SIGHUP. */
const BLOCKED = randomHashHex();
const OTHER = randomHashHex();
let tr: TrackerProcess | null = null;
after(async () => {
  await tr?.cleanup();
});

test('blacklist mode refuses listed hashes, tracks all others, and follows SIGHUP', async () => {
  tr = await startTrackerProcess({ whitelist: [BLOCKED], listFlag: '-b' });
  assert.equal((await httpAnnounce(tr.httpPort, BLOCKED, { port: 7001, left: 1 })).reply.failure, NOT_AUTHORIZED);
  assert.equal((await httpAnnounce(tr.httpPort, OTHER, { port: 7002, left: 1 })).reply.failure, null);
  fs.writeFileSync(tr.whitelistPath, `${OTHER}\n`);
  await tr.sighup();
  assert.equal((await httpAnnounce(tr.httpPort, BLOCKED, { port: 7003, left: 1 })).reply.failure, null, 'unblocked after reload');
  assert.equal((await httpAnnounce(tr.httpPort, OTHER, { port: 7004, left: 1 })).reply.failure, NOT_AUTHORIZED, 'blocked after reload');
});
