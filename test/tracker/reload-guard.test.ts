import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startTrackerProcess, type TrackerProcess } from '../helpers/tracker-process.js';
import { httpAnnounce } from '../helpers/announce.js';
import { randomHashHex } from '../helpers/tracker-urls.js';

/** A truncated whitelist must not drop every swarm at once: refused on the first SIGHUP, applied on a second. */
const HASHES = Array.from({ length: 40 }, () => randomHashHex());
let tr: TrackerProcess;
before(async () => {
  tr = await startTrackerProcess({ whitelist: HASHES });
});
after(() => tr?.cleanup());

test('a whitelist truncated to 2 of 40 hashes is refused with an error until reloaded again unchanged', async () => {
  const victim = HASHES[20] as string;
  assert.equal((await httpAnnounce(tr.httpPort, victim, { port: 7500, left: 1 })).reply.failure, null);
  fs.writeFileSync(tr.whitelistPath, `${HASHES[0]}\n${HASHES[1]}\n`);
  const from = tr.records().length;
  await tr.sighup();
  const refused = await tr.waitForLog((r) => /NOT applied/.test(String(r.msg)), 5000, from);
  assert.equal(refused['level'], 50);
  assert.equal(refused['lost'], 38);
  assert.equal((await httpAnnounce(tr.httpPort, victim, { port: 7501, left: 1 })).reply.failure, null, 'the old list stays in force');

  const again = tr.records().length;
  await tr.sighup();
  await tr.waitForLog((r) => /confirmed/.test(String(r.msg)), 5000, again);
  assert.match(String((await httpAnnounce(tr.httpPort, victim, { port: 7502, left: 1 })).reply.failure), /not authorized/);
  assert.equal((await httpAnnounce(tr.httpPort, HASHES[0] as string, { port: 7503, left: 1 })).reply.failure, null);
});
