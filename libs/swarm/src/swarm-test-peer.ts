import assert from 'node:assert/strict';
import { writeCompact } from './compact-address.js';
import type { AnnounceEvent, AnnounceInput } from './swarm-store.js';

/** Test support for the SwarmStore tests (no app imports it): one announce built from the fields a test varies. */
export interface TestAnnounce {
  readonly infoHash: string;
  readonly ip: string;
  readonly port: number;
  readonly seeder: boolean;
  readonly event: AnnounceEvent;
  readonly downloaded?: number;
  /** Padded with '-' (or cut) to the 20 bytes of a BEP 3 peer_id. */
  readonly peerId: string;
}

/** The announce, with the address written compact (BEP 23/7) into an 18-byte buffer and 50 peers wanted. */
export function testAnnounce(a: TestAnnounce): AnnounceInput {
  const addr = Buffer.alloc(18);
  const addrLen = writeCompact(a.ip, a.port, addr);
  assert.ok(addrLen !== 0);
  return {
    infoHash: a.infoHash,
    addr,
    addrOff: 0,
    addrLen,
    seeder: a.seeder,
    downloaded: a.downloaded ?? 0,
    event: a.event,
    peerId: a.peerId.padEnd(20, '-').slice(0, 20),
    numwant: 50,
    bothFamilies: true,
  };
}
