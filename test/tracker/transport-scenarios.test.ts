import { after, before, describe, test } from 'node:test';
import { startTrackerProcess, type TrackerProcess } from '../helpers/tracker-process.js';
import { TRANSPORTS, transportClient } from '../helpers/transport-client.js';
import { randomHashHex } from '../helpers/tracker-urls.js';
import { SCENARIOS } from './announce-scenarios.js';

/** Every scenario of announce-scenarios.ts, once over HTTP and once over UDP, against one tracker per transport. */

for (const transport of TRANSPORTS) {
  describe(`${transport.toUpperCase()}: shared announce scenarios`, () => {
    const hashes = SCENARIOS.map((s) => Array.from({ length: s.listed }, () => randomHashHex()));
    const notListed = randomHashHex();
    let tr: TrackerProcess;
    before(async () => {
      tr = await startTrackerProcess({ whitelist: hashes.flat() });
    });
    after(() => tr?.cleanup());

    SCENARIOS.forEach((scenario, i) => {
      test(scenario.name, async (t) => {
        const mine = hashes[i]!;
        const hash = (n: number): string => {
          const h = mine[n];
          if (h === undefined) throw new Error(`${scenario.name}: uses hash ${n} but reserves ${mine.length}`);
          return h;
        };
        await scenario.run({ tc: transportClient(transport, tr), hash, notListed }, t);
      });
    });
  });
}
