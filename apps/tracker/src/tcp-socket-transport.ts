import { once } from 'node:events';
import net from 'node:net';
import { MAX_PENDING_OUTPUT } from './http-framer.js';
import type { StreamEvents, TcpListener, TcpListenerOptions, TcpStream, TcpTransport } from './tcp-transport.js';

/**
 * TCP on node:net: the portable transport, for a Node whose libuv handles tcp-handle-transport.ts does not
 * recognise. The socket's listeners are shared functions that find their stream on the socket, so accepting
 * makes no closures.
 */

const STREAM = Symbol('stream');
type StreamSocket = net.Socket & { [STREAM]: SocketStream<unknown> };

class SocketStream<O> implements TcpStream<O> {
  owner: O | undefined = undefined;
  /** 'drain' is listened for from the first write that fills the buffer on: most connections never do. */
  private drainHooked = false;
  private finishHooked = false;

  constructor(
    readonly socket: net.Socket,
    readonly remoteAddress: string,
    readonly events: StreamEvents<O>,
  ) {}

  get unsent(): number {
    return this.socket.writableLength;
  }

  write(data: string | Buffer): number {
    const socket = this.socket;
    socket.write(data, 'latin1');
    // 'drain' follows only a write that filled the buffer (its high-water mark is the framer's output cap)
    if (!socket.writableNeedDrain) return 0;
    if (!this.drainHooked) {
      this.drainHooked = true;
      socket.on('drain', onDrain);
    }
    return socket.writableLength;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  noDelay(): void {
    this.socket.setNoDelay(true);
  }

  closeWhenSent(): void {
    const socket = this.socket;
    // the kernel took everything (the usual case): close now; it sends the bytes and then the FIN
    if (socket.writableLength === 0) return this.destroy();
    if (this.finishHooked) return;
    this.finishHooked = true;
    socket.on('finish', destroySocket);
    if (!socket.writableEnded) socket.end();
  }

  endAndDrain(): void {
    // the client's FIN then closes it (onEnd)
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function onData(this: StreamSocket, chunk: Buffer): void {
  const s = this[STREAM];
  s.events.data(s.owner, chunk, chunk.length);
}
/** The client's FIN. The socket is half-open (allowHalfOpen), so replies still owed can be sent. */
function onEnd(this: StreamSocket): void {
  const s = this[STREAM];
  s.events.ended(s.owner);
}
function onDrain(this: StreamSocket): void {
  const s = this[STREAM];
  s.events.drained(s.owner);
}
function onClose(this: StreamSocket): void {
  const s = this[STREAM];
  if (s.owner !== undefined) s.events.closed(s.owner);
}
function destroySocket(this: net.Socket): void {
  this.destroy();
}

class SocketListener<O> implements TcpListener {
  private readonly server: net.Server;

  constructor(options: TcpListenerOptions<O>) {
    // the write buffer's high-water mark is the framer's output cap, so 'drain' comes exactly when it resumes
    const server = net.createServer({ noDelay: false, keepAlive: false, allowHalfOpen: true, highWaterMark: MAX_PENDING_OUTPUT });
    // the total cap is Node's own: past it, an accepted handle is closed before any JS object is made for it
    server.maxConnections = options.maxConnections;
    server.on('drop', () => options.refused());
    // accept errors (see TcpListenerOptions.failed) are emitted on the server: without a listener they would
    // end the process; the connection is lost, the server keeps accepting
    server.on('error', (err) => options.failed(err, 'tcp server error'));
    server.on('connection', (socket: net.Socket) => {
      try {
        // an error ends only its connection
        socket.on('error', destroySocket);
        const remoteAddress = socket.remoteAddress;
        // undefined: already gone (reset before we got to it)
        if (remoteAddress === undefined) return socket.destroy();
        const stream = new SocketStream(socket, remoteAddress, options.events);
        (socket as StreamSocket)[STREAM] = stream as SocketStream<unknown>;
        options.accepted(stream);
        if (stream.owner === undefined) return socket.destroy();
        socket.on('data', onData);
        socket.on('end', onEnd);
        socket.on('close', onClose);
      } catch (err) {
        options.failed(err, 'connection setup failed');
        socket.destroy();
      }
    });
    this.server = server;
  }

  async listen(host: string, port: number, ipv6Only: boolean, backlog: number): Promise<{ address: string; port: number }> {
    const server = this.server;
    const listening = Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([e]) => {
        throw e;
      }),
    ]);
    server.listen({ host, port, ipv6Only, backlog });
    await listening;
    const a = server.address() as net.AddressInfo;
    return { address: a.address, port: a.port };
  }

  close(): void {
    this.server.close();
  }
}

export const socketTransport: TcpTransport = {
  name: 'net',
  createListener: <O>(options: TcpListenerOptions<O>) => new SocketListener(options),
};
