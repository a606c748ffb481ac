import dgram from 'node:dgram';
import { announcePacket, connectPacket } from './udp-gen-packets.js';
import type { GenTally } from './udp-gen-tally.js';
import type { GenOptions } from './udp-gen-types.js';

const TIMEOUT_MS = 1000;

/** One generator socket: its connection id, and up to `window` requests outstanding on it. */
export class GenSocket {
  private readonly sock = dgram.createSocket('udp4');
  private readonly pending = new Map<number, { sent: number; item: number }>();
  private connId: Buffer | null = null;
  private connectTx = 0;
  private tx: number;

  constructor(
    private readonly o: GenOptions,
    private readonly tally: GenTally,
    private readonly hashes: readonly Buffer[],
    index: number,
    private readonly window: number,
    /** Called when a preload has every item answered. */
    private readonly preloaded: () => void,
  ) {
    this.tx = (index + 1) << 24;
    this.sock.on('message', (msg) => this.received(msg));
    this.sock.bind(0, '127.0.0.1', () => this.connect());
  }

  connect(): void {
    this.connectTx = this.tx++ >>> 0;
    this.sock.send(connectPacket(this.connectTx), this.o.port, this.o.host);
  }

  /** Times out requests unanswered for TIMEOUT_MS (preload re-sends them), then refills the window. */
  sweep(now: number): void {
    if (this.connId === null) {
      this.connect();
      return;
    }
    for (const [id, p] of this.pending) {
      if (now - p.sent < TIMEOUT_MS) continue;
      this.pending.delete(id);
      this.tally.timedOut(p.item);
    }
    this.fill();
  }

  close(): void {
    this.sock.close();
  }

  private fill(): void {
    while (this.pending.size < this.window && this.sendOne()) {
      /* keep the window full */
    }
  }

  private sendOne(): boolean {
    if (this.connId === null || this.tally.stopping) return false;
    const item = this.tally.takeItem();
    if (item === null) return false;
    const t = item % this.o.torrents;
    const k = Math.floor(item / this.o.torrents);
    const id = this.tx++ >>> 0;
    const b = announcePacket(this.connId, id, this.hashes[t]!, t, k, this.o.mode === 'preload', this.o.numwant);
    this.pending.set(id, { sent: Date.now(), item });
    this.sock.send(b, this.o.port, this.o.host);
    return true;
  }

  private received(msg: Buffer): void {
    if (msg.length < 8) return;
    const action = msg.readUInt32BE(0);
    const id = msg.readUInt32BE(4);
    if (action === 0 && id === this.connectTx && msg.length >= 16) {
      const first = this.connId === null;
      this.connId = Buffer.from(msg.subarray(8, 16));
      if (first) {
        this.tally.started();
        this.fill();
      }
      return;
    }
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.tally.answered(action === 1 && msg.length >= 20);
    this.fill();
    if (this.tally.preloaded) this.preloaded();
  }
}
