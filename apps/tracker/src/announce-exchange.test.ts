import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EVENT_NONE, EVENT_STOPPED, hexToKey, type AnnounceEvent } from '../../../libs/protocol/src/index.js';
import type { AnnounceOutput } from '../../../libs/swarm/src/index.js';
import { createAnnounceExchange, type AnnounceFields, type AnnounceResult, type TransportPolicy } from './announce-exchange.js';
import type { Tracker } from './tracker.js';
import { testTracker } from './test-tracker.js';

/**
 * The announce step both transports share: a table of rows, most of them hostile (ports and addresses a
 * client or a misbehaving proxy can produce), each with the result and what it counts.
 */

const LISTED = hexToKey('0123456789abcdef0123456789abcdef01234567');
const UNLISTED = hexToKey('ffffffffffffffffffffffffffffffffffffffff');
const HTTP: TransportPolicy = { numwantCapV4: Infinity, numwantCapV6: Infinity, bothFamilies: true, counter: 'tcpAnnounces' };
const UDP: TransportPolicy = { numwantCapV4: 200, numwantCapV6: 66, bothFamilies: false, counter: 'udpAnnounces' };

function fields(port: number, event: AnnounceEvent = EVENT_NONE, infoHash = LISTED): AnnounceFields {
  return { infoHash, peerId: 'p'.repeat(20), port, left: 100, downloaded: 0, event };
}

/** A tracker whose listed torrent holds 300 IPv4 and 300 IPv6 peers. */
function populated(): Tracker {
  const tracker = testTracker('whitelist');
  tracker.setAccessList(new Set([LISTED]));
  const fill = createAnnounceExchange(tracker, tracker.counters, HTTP);
  for (let i = 0; i < 300; i++) {
    fill.announce(fields(1000 + i), 0, `10.0.${i >> 8}.${i & 255}`);
    fill.announce(fields(1000 + i), 0, `2001:db8::${i.toString(16)}`);
  }
  return tracker;
}

interface Row {
  readonly name: string;
  readonly policy: TransportPolicy;
  readonly fields: AnnounceFields;
  readonly numwant: number | null;
  readonly ip: string;
  /** A failure code, or the number of own-family peers in the reply. */
  readonly want: string | number;
  /** The failure counted by code (none: the tracker answered, and the transport's announce counter went up). */
  readonly counted?: string;
}

/** One row: `port` and `ip` of the announcer, what the client asked for, what it gets. */
function row(
  name: string,
  policy: TransportPolicy,
  port: number,
  ip: string,
  numwant: number | null,
  want: string | number,
  counted?: string,
): Row {
  return { name, policy, fields: fields(port), numwant, ip, want, counted };
}

const ROWS: Row[] = [
  row('port 0', UDP, 0, '10.1.1.1', null, 'BAD_PORT', 'BAD_PORT'),
  row('port 65536', HTTP, 65536, '10.1.1.1', null, 'BAD_PORT', 'BAD_PORT'),
  row('port -1', HTTP, -1, '10.1.1.1', null, 'BAD_PORT', 'BAD_PORT'),
  row('port 1.5', UDP, 1.5, '10.1.1.1', null, 'BAD_PORT', 'BAD_PORT'),
  row('port NaN', HTTP, Number.NaN, '10.1.1.1', null, 'BAD_PORT', 'BAD_PORT'),
  row('empty address', HTTP, 6881, '', null, 'BAD_ADDRESS', 'BAD_ADDRESS'),
  row('a name, not an address', UDP, 6881, 'unknown', null, 'BAD_ADDRESS', 'BAD_ADDRESS'),
  row('IPv4 part over 255', HTTP, 6881, '10.0.0.256', null, 'BAD_ADDRESS', 'BAD_ADDRESS'),
  row('three IPv4 parts', UDP, 6881, '10.0.0', null, 'BAD_ADDRESS', 'BAD_ADDRESS'),
  row('nine IPv6 groups', HTTP, 6881, '1:2:3:4:5:6:7:8:9', null, 'BAD_ADDRESS', 'BAD_ADDRESS'),
  row('bracketed IPv6', UDP, 6881, '[::1]', null, 'BAD_ADDRESS', 'BAD_ADDRESS'),
  row('64 KiB of garbage', HTTP, 6881, 'x'.repeat(65536), null, 'BAD_ADDRESS', 'BAD_ADDRESS'),
  row('bad port and bad address: the port is named', UDP, 0, 'unknown', null, 'BAD_PORT', 'BAD_PORT'),
  { ...row('unlisted torrent: refused', HTTP, 6881, '10.1.1.1', null, 'NOT_AUTHORIZED'), fields: fields(6881, EVENT_NONE, UNLISTED) },
  { ...row('unlisted torrent, stopped: answered', UDP, 6881, '10.1.1.1', null, 0), fields: fields(6881, EVENT_STOPPED, UNLISTED) },
  row('HTTP, numwant not given: the default', HTTP, 6881, '10.1.1.1', null, 50),
  row('HTTP, numwant 2^31: numwantMax', HTTP, 6881, '10.1.1.1', 2 ** 31, 200),
  row('HTTP over IPv6, numwant 2^31: numwantMax', HTTP, 6881, '2001:db8::ffff', 2 ** 31, 200),
  row('UDP over IPv6: one datagram', UDP, 6881, '2001:db8::ffff', 1000, 66),
  row('UDP over IPv4: numwantMax', UDP, 6881, '10.1.1.1', 1000, 200),
  row('IPv4-mapped IPv6 is an IPv4 peer', UDP, 6881, '::ffff:10.1.1.1', 1000, 200),
  row('IPv6 with a zone', UDP, 6881, 'fe80::1%eth0', 1000, 66),
  row('numwant 0', HTTP, 6881, '10.1.1.1', 0, 0),
];

describe('announce exchange', () => {
  for (const row of ROWS) {
    test(row.name, () => {
      const tracker = populated();
      const c = tracker.counters;
      const before = { tcp: c.tcpAnnounces, udp: c.udpAnnounces, refused: c.refused };
      const exchange = createAnnounceExchange(tracker, c, row.policy);
      const r: AnnounceResult = exchange.announce(row.fields, row.numwant, row.ip);
      const counter = row.policy.counter === 'tcpAnnounces' ? 'tcp' : 'udp';
      if (typeof row.want === 'string') {
        assert.equal(r, row.want);
      } else {
        assert.equal(typeof r, 'object');
        const len = row.ip.includes(':') && !row.ip.startsWith('::ffff:') ? 18 : 6;
        assert.equal(exchange.ownFamilyPeers(r as AnnounceOutput).length / len, row.want);
      }
      if (row.counted !== undefined) {
        assert.deepEqual([...c.failures], [[row.counted, 1]]);
        assert.equal(c[`${counter}Announces`], before[counter], 'a request the tracker never saw is not an announce');
      } else {
        assert.equal(c.failures.size, 0);
        assert.equal(c[`${counter}Announces`], before[counter] + 1);
        assert.equal(c.refused, before.refused + (row.want === 'NOT_AUTHORIZED' ? 1 : 0));
      }
    });
  }

  test('HTTP carries both families; the own family comes first', () => {
    const tracker = populated();
    const r = createAnnounceExchange(tracker, tracker.counters, HTTP).announce(fields(6881), 100, '10.1.1.1') as AnnounceOutput;
    assert.equal(r.peers.length / 6, 100);
    assert.equal(r.peers6, null, 'the own family filled the request');
    const r2 = createAnnounceExchange(tracker, tracker.counters, HTTP).announce(fields(6882), 2 ** 31, '10.1.1.2') as AnnounceOutput;
    assert.equal(r2.peers.length / 6 + (r2.peers6?.length ?? 0) / 18, 200);
  });

  test('an unusable announce stores nothing', () => {
    const tracker = populated();
    const exchange = createAnnounceExchange(tracker, tracker.counters, UDP);
    const before = tracker.store.get(LISTED)!;
    const seeders = before.v4!.count + before.v6!.count;
    for (const ip of ['', 'unknown', '10.0.0.256']) exchange.announce(fields(6881), null, ip);
    exchange.announce(fields(0), null, '10.9.9.9');
    const after = tracker.store.get(LISTED)!;
    assert.equal(after.v4!.count + after.v6!.count, seeders);
  });
});
