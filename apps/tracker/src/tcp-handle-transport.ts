import { nodeBinding, uvError } from './libuv-binding.js';
import type { StreamEvents, TcpListener, TcpListenerOptions, TcpStream, TcpTransport } from './tcp-transport.js';

/**
 * TCP on libuv's handles, the objects node:net itself is built on (Node's `tcp_wrap` and `stream_wrap`
 * bindings, see libuv-binding.ts). Measured on one core, one connection per request (bench/RESULTS.md):
 * a fixed reply costs ~25 µs of CPU per connection this way and ~56 µs through net.Socket, whose stream
 * machinery (a Duplex, its state, its events and ticks) is most of the difference. The wire uses reads, writes,
 * a shutdown and a close, so that is all this file wraps; lib/internal/stream_base_commons.js and lib/net.js in
 * Node are the reference for how the handles are driven. `handleTransport()` checks their shape first and
 * returns null on a Node where they differ, and the tracker then runs on node:net.
 */

interface UvHandle {
  close(): void;
}

interface ServerHandle extends UvHandle {
  onconnection: (status: number, client?: ClientHandle) => void;
  bind(host: string, port: number): number;
  bind6(host: string, port: number, flags: number): number;
  listen(backlog: number): number;
  getsockname(out: Record<string, unknown>): number;
}

interface ClientHandle extends UvHandle {
  /**
   * A read's count or error is in `state`; the bytes are in the buffer given to useUserBuffer, and `buffer` is
   * undefined. Without a user buffer Node passes one of its own, the bytes at `state[kArrayBufferOffset]`.
   */
  onread: (buffer: ArrayBuffer | undefined) => void;
  useUserBuffer(buffer: Buffer): void;
  readonly writeQueueSize: number;
  readStart(): number;
  readStop(): number;
  writeLatin1String(req: Req, data: string): number;
  writeBuffer(req: Req, data: Buffer): number;
  shutdown(req: Req): number;
  setNoDelay(on: boolean): number;
  getpeername(out: Record<string, unknown>): number;
}

/** A write or shutdown request; `oncomplete` is looked up when it completes, see stream_base.cc in Node. */
interface Req {
  oncomplete?: (status: number) => void;
  stream?: HandleStream<unknown>;
  buffer?: Buffer;
}

interface Binding {
  readonly TCP: new (type: number) => ServerHandle;
  readonly SERVER: number;
  readonly IPV6ONLY: number;
  readonly WriteWrap: new () => Req;
  readonly ShutdownWrap: new () => Req;
  /** Where a read's byte count or error and a write's sync/async result are left (stream_base.h in Node). */
  readonly state: Int32Array;
  readonly kReadBytesOrError: number;
  readonly kArrayBufferOffset: number;
  readonly kLastWriteWasAsync: number;
  readonly UV_EOF: number;
}

function loadBinding(): Binding | null {
  const tcp = nodeBinding('tcp_wrap');
  const stream = nodeBinding('stream_wrap');
  const uv = nodeBinding('uv');
  if (tcp === null || stream === null || uv === null) return null;
  try {
    const constants = tcp.constants as Record<string, unknown> | undefined;
    const b = {
      TCP: tcp.TCP,
      SERVER: constants?.SERVER,
      IPV6ONLY: constants?.UV_TCP_IPV6ONLY,
      WriteWrap: stream.WriteWrap,
      ShutdownWrap: stream.ShutdownWrap,
      state: stream.streamBaseState,
      kReadBytesOrError: stream.kReadBytesOrError,
      kArrayBufferOffset: stream.kArrayBufferOffset,
      kLastWriteWasAsync: stream.kLastWriteWasAsync,
      UV_EOF: uv.UV_EOF,
    };
    const methods = [
      'bind',
      'bind6',
      'listen',
      'getsockname',
      'getpeername',
      'setNoDelay',
      'close',
      'readStart',
      'readStop',
      'writeLatin1String',
      'writeBuffer',
      'shutdown',
      'useUserBuffer',
    ];
    const proto = typeof b.TCP === 'function' ? (b.TCP as { prototype: Record<string, unknown> }).prototype : null;
    const ok =
      proto !== null &&
      methods.every((m) => typeof proto[m] === 'function') &&
      typeof b.WriteWrap === 'function' &&
      typeof b.ShutdownWrap === 'function' &&
      b.state instanceof Int32Array &&
      [b.SERVER, b.IPV6ONLY, b.kReadBytesOrError, b.kArrayBufferOffset, b.kLastWriteWasAsync].every(
        (n) => typeof n === 'number' && Number.isInteger(n) && n >= 0,
      ) &&
      b.UV_EOF === -4095;
    return ok ? (b as unknown as Binding) : null;
  } catch {
    return null;
  }
}

const OPEN = 0;
/** Closing once the kernel has taken every written byte. */
const CLOSE_WHEN_SENT = 1;
/** FIN queued after the written bytes; reading on until the client's FIN. */
const DRAINING = 2;
const CLOSED = 3;

class HandleStream<O> implements TcpStream<O> {
  owner: O | undefined = undefined;
  private state = OPEN;

  constructor(
    private readonly b: Binding,
    private readonly handle: ClientHandle,
    readonly remoteAddress: string,
    private readonly listener: HandleListener<O>,
  ) {
    // a closure per connection rather than a property on the handle: adding a property to a handle object
    // takes V8's slow path, and a read must find its stream
    handle.onread = (buffer) => this.read(buffer);
    // reads land in one shared buffer (what net.Socket's `onread.buffer` option does) instead of a 64 KiB
    // allocation per read, shrunk and wrapped in a new ArrayBuffer and Buffer for JavaScript (stream_base.cc
    // in Node): the owner consumes each chunk before the next read, as StreamEvents.data requires
    handle.useUserBuffer(readBuffer);
  }

  get unsent(): number {
    return this.state === CLOSED ? 0 : this.handle.writeQueueSize;
  }

  write(data: string | Buffer): number {
    if (this.state === CLOSED) return 0;
    const b = this.b;
    const handle = this.handle;
    // a write the kernel takes at once never touches its request object (StreamBase::WriteString and
    // WriteBuffer in Node try the write first), so one object serves every such write
    const req = spareReq ?? new b.WriteWrap();
    const status = typeof data === 'string' ? handle.writeLatin1String(req, data) : handle.writeBuffer(req, data);
    if (status !== 0) {
      // a write that failed after being queued may have been tied to Node's request state: not reused
      spareReq = null;
      this.destroy();
      return 0;
    }
    if (b.state[b.kLastWriteWasAsync] === 0) {
      spareReq = req;
      return 0;
    }
    // the rest goes out when the socket is writable again; the request now belongs to that write
    spareReq = null;
    req.oncomplete = onWriteDone;
    req.stream = this as HandleStream<unknown>;
    if (typeof data !== 'string') req.buffer = data;
    return handle.writeQueueSize;
  }

  pause(): void {
    if (this.state === CLOSED) return;
    this.handle.readStop();
  }

  resume(): void {
    if (this.state === CLOSED) return;
    if (this.handle.readStart() !== 0) this.destroy();
  }

  noDelay(): void {
    if (this.state === CLOSED) return;
    this.handle.setNoDelay(true);
  }

  closeWhenSent(): void {
    if (this.state !== OPEN) return;
    if (this.handle.writeQueueSize === 0) return this.destroy();
    this.state = CLOSE_WHEN_SENT;
  }

  endAndDrain(): void {
    if (this.state !== OPEN) return;
    this.state = DRAINING;
    const req = new this.b.ShutdownWrap();
    req.oncomplete = onShutdownDone;
    req.stream = this as HandleStream<unknown>;
    // libuv sends the FIN once the queued writes are out; input is read (and dropped) until the client's FIN
    if (this.handle.shutdown(req) !== 0 || this.handle.readStart() !== 0) this.destroy();
  }

  destroy(): void {
    if (this.state === CLOSED) return;
    this.state = CLOSED;
    // uv_close closes the descriptor now; nothing is read or completed for this stream afterwards but
    // cancelled writes, which find it CLOSED. So the close is reported here, without a close callback.
    this.handle.close();
    this.listener.open--;
    if (this.owner !== undefined) this.listener.events.closed(this.owner);
  }

  private read(buffer: ArrayBuffer | undefined): void {
    const b = this.b;
    const n = b.state[b.kReadBytesOrError]!;
    if (n > 0) {
      if (this.state !== OPEN) return;
      // a Node that hands over a buffer of its own despite useUserBuffer (not Node 20) is read from there
      if (buffer === undefined) this.listener.events.data(this.owner as O, readBuffer, n);
      else this.listener.events.data(this.owner as O, Buffer.from(buffer, b.state[b.kArrayBufferOffset]!, n), n);
      return;
    }
    if (n === 0) return;
    // a reset or another read error, or the FIN a drain waits for: close now
    if (n !== b.UV_EOF || this.state === DRAINING) return this.destroy();
    // the client's FIN: the owner closes once it has answered; a stream closing when sent goes on sending
    this.handle.readStop();
    if (this.state === OPEN) this.listener.events.ended(this.owner as O);
  }

  /** A queued write finished (status < 0: failed or cancelled by the close). */
  writeDone(status: number): void {
    if (this.state === CLOSED) return;
    if (status < 0) return this.destroy();
    if (this.handle.writeQueueSize !== 0) return;
    if (this.state === CLOSE_WHEN_SENT) return this.destroy();
    if (this.state === OPEN) this.listener.events.drained(this.owner as O);
  }
}

let spareReq: Req | null = null;

/** Where every connection's reads land (see HandleStream's constructor); as large as Node's own read buffer. */
const readBuffer = Buffer.allocUnsafeSlow(64 * 1024);

function onWriteDone(this: Req, status: number): void {
  this.stream!.writeDone(status);
}

function onShutdownDone(this: Req, status: number): void {
  if (status < 0) this.stream!.destroy();
}

class HandleListener<O> implements TcpListener {
  open = 0;
  readonly events: StreamEvents<O>;
  /**
   * getpeername fills this one object for every accept: Node sets address, family and port on it, which on a
   * fresh object means three property additions through V8's slow path (~2 % of a one-request connection).
   */
  private readonly peer: Record<string, unknown> = { address: undefined, family: undefined, port: undefined };
  private server: ServerHandle | null = null;

  constructor(
    private readonly b: Binding,
    private readonly options: TcpListenerOptions<O>,
  ) {
    this.events = options.events;
  }

  async listen(host: string, port: number, ipv6Only: boolean, backlog: number): Promise<{ address: string; port: number }> {
    const b = this.b;
    const server = new b.TCP(b.SERVER);
    const v6 = host.includes(':');
    let status = v6 ? server.bind6(host, port, ipv6Only ? b.IPV6ONLY : 0) : server.bind(host, port);
    if (status === 0) status = server.listen(backlog);
    const out: Record<string, unknown> = {};
    if (status === 0) status = server.getsockname(out);
    if (status !== 0) {
      server.close();
      throw uvError(status, 'listen', host, port);
    }
    server.onconnection = (s, client) => this.accept(s, client);
    this.server = server;
    return { address: String(out.address), port: Number(out.port) };
  }

  close(): void {
    this.server?.close();
    this.server = null;
  }

  private accept(status: number, client: ClientHandle | undefined): void {
    const o = this.options;
    if (status !== 0 || client === undefined) return o.failed(uvError(status, 'accept'), 'tcp accept failed');
    if (this.open >= o.maxConnections) {
      client.close();
      return o.refused();
    }
    const peer = this.peer;
    peer.address = undefined;
    if (client.getpeername(peer) !== 0 || typeof peer.address !== 'string') {
      // reset before we got to it
      client.close();
      return;
    }
    this.open++;
    const stream = new HandleStream(this.b, client, peer.address, this);
    try {
      o.accepted(stream);
      // a stream nobody took (refused by a cap) is closed; one that was taken starts reading
      if (stream.owner === undefined) stream.destroy();
      else stream.resume();
    } catch (err) {
      o.failed(err, 'connection setup failed');
      stream.destroy();
    }
  }
}

let binding: Binding | null | undefined;

/** The transport on libuv's handles, or null when this Node's handles are not as expected. */
export function handleTransport(): TcpTransport | null {
  if (binding === undefined) binding = loadBinding();
  const b = binding;
  if (b === null) return null;
  return {
    name: 'libuv',
    createListener: <O>(options: TcpListenerOptions<O>) => new HandleListener(b, options),
  };
}
