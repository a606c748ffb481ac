import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { dgramEndpoint } from './udp-dgram-endpoint.js';
import { UDP_BUFFER_BYTES, defaultUdpEndpoint, type UdpEndpoint, type UdpEndpointFactory } from './udp-endpoint.js';
import { handleUdpEndpoint } from './udp-handle-endpoint.js';

/** Both UDP endpoints, bound on loopback, echoing every datagram to a node:dgram client. */

const open: Array<{ close(): void }> = [];
after(() => {
  for (const s of open) s.close();
});

async function echo(
  factory: UdpEndpointFactory,
  host = '127.0.0.1',
  ipv6Only = false,
): Promise<{ ep: UdpEndpoint; port: number; errors: Error[] }> {
  const errors: Error[] = [];
  const ep: UdpEndpoint = factory({
    host,
    port: 0,
    ipv6Only,
    bufferBytes: UDP_BUFFER_BYTES,
    message: (msg, from) => ep.send(Buffer.concat([Buffer.from(`${from.address}|`), msg]), from.port, from.address),
    error: (err) => errors.push(err),
  });
  open.push(ep);
  const a = await ep.bind();
  return { ep, port: a.port, errors };
}

/** Sends each payload and collects the echoes (in any order) until all are back. */
async function roundTrip(port: number, payloads: readonly Buffer[], type: 'udp4' | 'udp6' = 'udp4', to = '127.0.0.1'): Promise<string[]> {
  const client = dgram.createSocket(type);
  try {
    await new Promise<void>((res) => client.bind(0, type === 'udp4' ? '127.0.0.1' : '::1', res));
    const got: string[] = [];
    const all = new Promise<void>((res, rej) => {
      const timer = setTimeout(() => rej(new Error(`only ${got.length} of ${payloads.length} echoes`)), 5000);
      client.on('message', (m) => {
        got.push(m.toString('latin1'));
        if (got.length === payloads.length) {
          clearTimeout(timer);
          res();
        }
      });
    });
    for (const p of payloads) client.send(p, port, to);
    if (payloads.length > 0) await all;
    return got;
  } finally {
    client.close();
  }
}

test('this Node has the libuv UDP handle the fast endpoint expects, and it is the default', () => {
  // fails on a Node whose udp_wrap changed: the tracker would then run on node:dgram, slower
  assert.notEqual(handleUdpEndpoint(), null);
  assert.notEqual(defaultUdpEndpoint(), dgramEndpoint);
});

for (const [name, factory] of [
  ['libuv', handleUdpEndpoint()!],
  ['dgram', dgramEndpoint],
] as const) {
  describe(`UDP endpoint on ${name}`, () => {
    test('every datagram arrives with its sender, and the reply reaches it', async () => {
      const { port, errors } = await echo(factory);
      const payloads = Array.from({ length: 200 }, (_, i) => Buffer.from(`packet ${i}`));
      const got = await roundTrip(port, payloads);
      assert.deepEqual(got.sort(), payloads.map((p) => `127.0.0.1|${p.toString()}`).sort());
      assert.deepEqual(errors, []);
    });

    test('property: any bytes, empty and 1,400-byte datagrams included, come through unchanged', async () => {
      const { port } = await echo(factory);
      await fc.assert(
        fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 1400 }), { minLength: 1, maxLength: 20 }), async (arrays) => {
          const payloads = arrays.map((a) => Buffer.from(a));
          const got = await roundTrip(port, payloads);
          assert.deepEqual(got.sort(), payloads.map((p) => `127.0.0.1|${p.toString('latin1')}`).sort());
        }),
        { numRuns: 30, seed: 1515 },
      );
    });

    test('a port in use is EADDRINUSE', async () => {
      const { port } = await echo(factory);
      const second = factory({ host: '127.0.0.1', port, ipv6Only: false, bufferBytes: UDP_BUFFER_BYTES, message() {}, error() {} });
      await assert.rejects(second.bind(), { code: 'EADDRINUSE' });
      second.close();
    });

    test("'::' answers IPv6 and, unless IPv6-only, IPv4 as a mapped address", async () => {
      const dual = await echo(factory, '::');
      assert.deepEqual(await roundTrip(dual.port, [Buffer.from('x')], 'udp6', '::1'), ['::1|x']);
      assert.deepEqual(await roundTrip(dual.port, [Buffer.from('y')], 'udp4', '127.0.0.1'), ['::ffff:127.0.0.1|y']);
      const only = await echo(factory, '::', true);
      const v4 = factory({ host: '127.0.0.1', port: only.port, ipv6Only: false, bufferBytes: UDP_BUFFER_BYTES, message() {}, error() {} });
      open.push(v4);
      // the IPv4 side of the port is free: an IPv6-only socket does not hold it
      await v4.bind();
    });
  });
}

test('libuv endpoint: a send the kernel refuses throws a coded error (callers count it), the socket goes on', async () => {
  const { ep, port } = await echo(handleUdpEndpoint()!);
  assert.throws(
    () => ep.send(Buffer.from('x'), 9, '::1'),
    (e: NodeJS.ErrnoException) => typeof e.code === 'string',
  );
  assert.deepEqual(await roundTrip(port, [Buffer.from('z')]), ['127.0.0.1|z']);
  ep.close();
  assert.throws(() => ep.send(Buffer.from('x'), 9, '127.0.0.1'));
});
