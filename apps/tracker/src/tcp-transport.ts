import { handleTransport } from './tcp-handle-transport.js';
import { socketTransport } from './tcp-socket-transport.js';

/**
 * What the HTTP wire needs of TCP: a listener that hands over accepted connections, and per connection a byte
 * stream. Two implementations: tcp-handle-transport.ts on libuv's TCP handles directly (the default), and
 * tcp-socket-transport.ts on node:net, used when this Node's handles are not what the first expects.
 */
export interface TcpStream<O> {
  /** Whoever the stream reports to (the wire's connection); set by the listener's owner at accept. */
  owner: O | undefined;
  /** The client's address, read once at accept. */
  readonly remoteAddress: string;
  /**
   * Queues bytes (strings as latin1). Returns how many written bytes the kernel has not taken yet when a
   * `drained` call will follow once it has; 0 otherwise.
   */
  write(data: string | Buffer): number;
  /** Written bytes the kernel has not taken yet. */
  readonly unsent: number;
  /** Stops reading until resume(). */
  pause(): void;
  resume(): void;
  /** Sends each write at once, without waiting for the previous segment's ack (no Nagle). */
  noDelay(): void;
  /** Closes once the kernel has taken every written byte (at once when it has); bytes read meanwhile are dropped. */
  closeWhenSent(): void;
  /**
   * Sends the FIN after every written byte, then reads and drops until the client's FIN and closes: closing with
   * unread input would reset the connection, and the client could lose the reply. The wire's sweep destroys a
   * stream whose client never ends.
   */
  endAndDrain(): void;
  /** Closes now; what the kernel took is still sent. `closed` is reported before this returns. */
  destroy(): void;
}

/** The stream's reports; each is called with the stream's owner. */
export interface StreamEvents<O> {
  /**
   * Bytes arrived: `bytes[0, length)`. The transport may read the next chunk into the same memory, so the
   * bytes are valid only during the call.
   */
  data(owner: O, bytes: Buffer, length: number): void;
  /** The kernel took every written byte after a write that returned more than 0. */
  drained(owner: O): void;
  /**
   * The client's FIN: it sends nothing more. The stream stays open for the replies still owed; the owner
   * closes it (closeWhenSent) once it has answered what it holds.
   */
  ended(owner: O): void;
  /** The stream is closed (by either side); nothing more is reported. */
  closed(owner: O): void;
}

export interface TcpListenerOptions<O> {
  readonly events: StreamEvents<O>;
  /** Connections open at once; past it a new one is closed at accept. */
  readonly maxConnections: number;
  /** A new stream; its owner is set here (or it is destroyed). Reading starts after this returns. */
  accepted(stream: TcpStream<O>): void;
  /** A connection closed at accept because maxConnections are open. */
  refused(): void;
  /**
   * An accept that failed or a connection whose set-up threw; serving goes on. Out of descriptors, libuv
   * itself closes the waiting connections and reports nothing (uv__emfile_trick in libuv's src/unix/stream.c).
   */
  failed(err: unknown, what: string): void;
}

export interface TcpListener {
  /** Binds and listens; rejects with a Node-style error (`code` EADDRINUSE, EACCES...). */
  listen(host: string, port: number, ipv6Only: boolean, backlog: number): Promise<{ address: string; port: number }>;
  /** Stops accepting; open streams are left to their owner. */
  close(): void;
}

export interface TcpTransport {
  readonly name: string;
  createListener<O>(options: TcpListenerOptions<O>): TcpListener;
}

/** libuv's handles when this Node has them as expected, node:net otherwise. */
export function defaultTcpTransport(): TcpTransport {
  return handleTransport() ?? socketTransport;
}
