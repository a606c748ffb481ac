import assert from 'node:assert/strict';
import http from 'node:http';
import { httpAnnounce, httpScrape } from './announce.js';
import { httpGet } from './http-client.js';
import { announceUrl, asDict, bdecode, bstr, peerId, type ParamValue } from './tracker-urls.js';
import type { AnnounceArgs, AnnounceOutcome, TransportClient } from './transport-client.js';

/** The HTTP side of TransportClient: announce and scrape as query strings, replies bencoded. */

function params(a: AnnounceArgs): Record<string, ParamValue> {
  const p: Record<string, ParamValue> = { peer_id: peerId(a.peer ?? `p${a.port}`), port: a.port, left: a.left.toString() };
  if (a.event !== undefined && a.event !== 'none') p['event'] = a.event;
  if (a.numwant !== undefined) p['numwant'] = a.numwant;
  return p;
}

export function httpTransport(port: number): TransportClient {
  return {
    name: 'http',
    clientAnnounceUrl: `http://127.0.0.1:${port}/announce`,
    clientLeecherOpts: {},
    async announce(a) {
      const r = await httpAnnounce(port, a.hash, params(a));
      assert.equal(r.reply.failure, null, `announce refused: ${r.body.toString('latin1')}`);
      assert.equal(r.reply.minInterval, Math.floor(r.reply.interval / 2), 'min interval = interval / 2');
      return {
        interval: r.reply.interval,
        seeders: r.reply.complete,
        leechers: r.reply.incomplete,
        peers: r.reply.peers,
        downloaded: r.reply.downloaded,
        raw: r.body,
      } satisfies AnnounceOutcome;
    },
    async announceMany(list) {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
      try {
        await Promise.all(list.map((a) => httpAnnounce(port, a.hash, params(a), {}, { agent })));
      } finally {
        agent.destroy();
      }
    },
    async refusal(a) {
      const res = await httpGet(port, announceUrl(a.hash, params(a)));
      assert.equal(res.status, 200, 'a refusal is a 200 with a failure reason');
      assert.equal(res.headers['content-type']?.startsWith('text/html'), false, 'never HTML');
      const d = asDict(bdecode(res.body));
      assert.deepEqual(Object.keys(d), ['failure reason'], `only a failure reason, got ${res.body.toString('latin1')}`);
      const text = bstr(d['failure reason']);
      assert.equal(res.body.toString('latin1'), `d14:failure reason${Buffer.byteLength(text)}:${text}e`, 'the exact opentracker bytes');
      return text;
    },
    async scrape(hashes) {
      const files = await httpScrape(port, hashes);
      return hashes.map((h) => {
        const row = files.get(h.toLowerCase());
        assert.ok(row, `scrape row for ${h}`);
        return { seeders: row.complete, completed: row.downloaded, leechers: row.incomplete };
      });
    },
    assertNoPeerBytes(o) {
      assert.match(o.raw.toString('latin1'), /5:peers0:e$/);
    },
    repliesCarryDownloaded: true,
  };
}
