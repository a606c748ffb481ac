import dgram from 'node:dgram';
import net from 'node:net';

/**
 * The one free-port finder for tests that must pass a port on a command line (a child process, a config
 * file), where port 0 cannot be used. Bind 0, read the port, close, then check the same port also binds
 * over UDP: the tracker serves TCP and UDP on one port. A race with another process is possible but rare;
 * a few attempts cover it.
 *
 * `host` '::' checks the port on every address of both families (the suite binds 127.0.0.1 and ::1).
 */
export async function freePort(host: '127.0.0.1' | '::' = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freeTcpPort(host);
    if (await udpBinds(port, host)) return port;
  }
  throw new Error('no free port');
}

/** A TCP port free right now on `host`. */
export function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** A UDP port free right now on 127.0.0.1. */
export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function udpBinds(port: number, host: string): Promise<boolean> {
  const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const ok = await new Promise<boolean>((resolve) => {
    sock.once('error', () => resolve(false));
    sock.bind(port, host, () => resolve(true));
  });
  await new Promise<void>((resolve) => sock.close(() => resolve()));
  return ok;
}
