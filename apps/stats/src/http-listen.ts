import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type express from 'express';
import type { Logger } from '../../../libs/common/src/log.js';

/** Listens and logs the URL; rejects with the address when the port cannot be had. */
export async function listenHttp(app: express.Express, host: string, port: number, log: Logger): Promise<{ server: Server; port: number }> {
  const server: Server = app.listen(port, host);
  try {
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([e]) => {
        throw e;
      }),
    ]);
  } catch (e) {
    throw new Error(`stats: cannot listen on ${host}:${port}: ${(e as Error).message}`, { cause: e });
  }
  server.on('error', (e) => log.error({ err: e.message }, 'http server error'));
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  log.info({ port: bound, host, url: `http://${shownHost}:${bound}/` }, 'listening');
  return { server, port: bound };
}

/** Stops accepting, drops open connections (keep-alive, downloads) and resolves once the server is closed. */
export async function closeHttp(server: Server): Promise<void> {
  const done = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await done;
}
