import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startTrackerProcess, writeWhitelist, type TrackerProcess } from '../helpers/tracker-process.js';
import { within } from '../helpers/wait.js';
import { httpGet } from '../helpers/http-client.js';
import { announceUrl, parseAnnounce, peerId, randomHashHex } from '../helpers/tracker-urls.js';
import { redisTestbed } from '../helpers/redis-testbed.js';

/**
 * The whitelist through Redis: the instance next to the publisher loads its file (start, SIGHUP) and stores
 * it; an instance with an empty file follows within a second, additions and removals alike.
 */
const bed = redisTestbed();

async function allowed(p: TrackerProcess, h: string): Promise<boolean> {
  const r = await httpGet(p.httpPort, announceUrl(h, { peer_id: peerId('acl'), port: 7777, uploaded: 0, downloaded: 0, left: 1 }));
  return parseAnnounce(r.body).failure === null;
}

describe('access list through Redis', () => {
  test("B follows A's list within 1 s: at start, on additions, on removals", async () => {
    const [h1, h2, h3] = [randomHashHex(), randomHashHex(), randomHashHex()];
    const store = ['--store', bed.redis.url, '--store-prefix', 'acl:'];
    const a = await startTrackerProcess({ whitelist: [h1], args: store });
    bed.procs.push(a);
    const b = await startTrackerProcess({ whitelist: [h3], args: store });
    bed.procs.push(b);
    await within(3000, "B allows A's hash", () => allowed(b, h1));
    assert.equal(await allowed(b, h2), false);
    assert.equal(await allowed(a, h3), true, "A allows B's own file hash too");

    writeWhitelist(a.whitelistPath, [h1, h2]);
    await a.sighup();
    const lagAdd = await within(1000, 'addition reaches B', () => allowed(b, h2));
    writeWhitelist(a.whitelistPath, [h2]);
    await a.sighup();
    const lagRemove = await within(1000, 'removal reaches B', async () => !(await allowed(b, h1)));
    assert.equal(await allowed(a, h1), false);
    assert.equal(await allowed(b, h3), true, 'B keeps its own file list');
    console.log(`# access list change A -> B: add ${lagAdd} ms, remove ${lagRemove} ms`);
    assert.ok(fs.existsSync(a.whitelistPath));
  });
});
