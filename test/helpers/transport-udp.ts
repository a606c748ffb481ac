import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { hexBytes, peerId } from './tracker-urls.js';
import type { AnnounceArgs, AnnounceEvent, AnnounceOutcome, TransportClient } from './transport-client.js';
import { announcePacket, parseUdpAnnounce, parseUdpScrape, scrapePacket, udpConnect, udpErrorText, udpRequest } from './udp-client.js';

/** The BEP 15 side of TransportClient: one connection id per client, every reply's action and txid checked. */

const EVENT: Readonly<Record<AnnounceEvent, number>> = { none: 0, completed: 1, started: 2, stopped: 3 };
const REPLY_MS = 2000;

export function udpTransport(port: number): TransportClient {
  let cid: Promise<Buffer> | undefined;
  const connectionId = (): Promise<Buffer> => (cid ??= udpConnect(port));
  const txid = (): number => crypto.randomBytes(4).readUInt32BE(0);
  const packet = async (a: AnnounceArgs, id: number): Promise<Buffer> =>
    announcePacket({
      connectionId: await connectionId(),
      txid: id,
      infoHash: hexBytes(a.hash),
      peerId: peerId(a.peer ?? `p${a.port}`),
      left: a.left,
      event: EVENT[a.event ?? 'none'],
      numWant: a.numwant ?? -1,
      port: a.port,
    });
  const send = async (a: AnnounceArgs): Promise<{ id: number; reply: Buffer }> => {
    const id = txid();
    const reply = await udpRequest(port, await packet(a, id), REPLY_MS);
    assert.ok(reply, `no UDP reply to announce on port ${a.port}`);
    assert.equal(reply.readUInt32BE(4), id, 'the transaction id is echoed');
    return { id, reply };
  };
  return {
    name: 'udp',
    clientAnnounceUrl: `udp://127.0.0.1:${port}`,
    clientLeecherOpts: { left: 1000 },
    async announce(a) {
      const { reply } = await send(a);
      const r = parseUdpAnnounce(reply);
      return {
        interval: r.interval,
        seeders: r.seeders,
        leechers: r.leechers,
        peers: r.peers,
        downloaded: null,
        raw: reply,
      } satisfies AnnounceOutcome;
    },
    async announceMany(list) {
      const replies = await Promise.all(list.map(async (a) => udpRequest(port, await packet(a, txid()), 3000)));
      assert.equal(replies.filter((r) => r === null).length, 0, 'every announce answered');
    },
    async refusal(a) {
      const { reply } = await send(a);
      assert.equal(reply.readUInt32BE(0), 3, `an action-3 error, got ${reply.toString('hex')}`);
      return udpErrorText(reply) ?? '';
    },
    async scrape(hashes) {
      const id = txid();
      const reply = await udpRequest(port, scrapePacket(await connectionId(), id, hashes.map(hexBytes)), REPLY_MS);
      assert.ok(reply, 'no UDP reply to scrape');
      assert.equal(reply.readUInt32BE(4), id, 'the transaction id is echoed');
      return parseUdpScrape(reply);
    },
    assertNoPeerBytes(o) {
      assert.equal(o.raw.length, 20, 'a 20-byte reply: no peer entries');
    },
    repliesCarryDownloaded: false,
  };
}
