import type { AnnounceOutput } from '../../../libs/swarm/src/index.js';
import { KIND_CHANGES, KIND_HELLO, addrString, decodeMessage, encodeKeyRecord, encodeMessages } from './redis-peer-wire.js';
import type { Clock, PeerAnnounce, Tracker } from './tracker.js';

export interface PeerSyncOptions {
  readonly tracker: Tracker;
  readonly clock: Clock;
  /** 8 random bytes naming this instance in every message (its own messages come back and are skipped). */
  readonly instance: Buffer;
  readonly peerTimeoutMs: number;
  /** Longest time between two announces of a live peer (interval + jitter). */
  readonly announceEveryMs: number;
}

/** Own peers remembered for snapshots, and changes waiting to be sent: caps against an announce flood. */
const MAX_LOCAL_PEERS = 1_000_000;
const MAX_OUTBOX = 200_000;
/** Own peers silent for longer than the others keep them are forgotten at most this often. */
const PRUNE_EVERY_MS = 60_000;
/** The stopped bit of a record's flags (bit 0 is the seeder bit). */
const F_STOPPED = 2;

/**
 * Swarms shared between instances: peer changes seen here are coalesced per peer and go out in batches; the
 * others' changes are merged into this instance's swarms. A (re)connected instance sends all its own peers and
 * a hello, which makes the others send theirs.
 */
export class PeerSync {
  /** Changes merged from the other instances (for status). */
  remoteChanges = 0;
  /** Own peers: key -> time last sent * 4 + seeder flag. */
  private readonly local = new Map<string, number>();
  /** Changes to send: key -> flags (1 seeder, 2 stopped). */
  private outbox = new Map<string, number>();
  private readonly refreshMs: number;
  private readonly instanceHex: string;
  private sendSnapshot = true;
  private sendHello = true;
  private lastPrune: number;

  constructor(private readonly o: PeerSyncOptions) {
    // A re-announce that changes nothing is sent again only after refreshMs: the others keep the peer alive
    // meanwhile, since a peer sent at least every refreshMs + announceEveryMs <= peer timeout never expires there.
    // This is what keeps the steady state (mostly re-announces) off Redis.
    this.refreshMs = Math.max(30_000, Math.floor((o.peerTimeoutMs - o.announceEveryMs) / 2));
    this.instanceHex = o.instance.toString('hex');
    this.lastPrune = o.clock.now();
  }

  /** The tracker's hook for every answered announce. */
  announced(p: PeerAnnounce, out: AnnounceOutput): void {
    const k = p.infoHash + addrString(p.addr, p.addrLen);
    const outbox = this.outbox;
    if (out.stopped) {
      this.local.delete(k);
      if (outbox.size < MAX_OUTBOX || outbox.has(k)) outbox.set(k, F_STOPPED);
      return;
    }
    const flag = p.seeder ? 1 : 0;
    const now = this.o.clock.now();
    const prev = this.local.get(k);
    if (prev !== undefined && prev % 4 === flag && now - Math.floor(prev / 4) < this.refreshMs) return;
    if (prev !== undefined || this.local.size < MAX_LOCAL_PEERS) this.local.set(k, now * 4 + flag);
    if (outbox.size < MAX_OUTBOX || outbox.has(k)) outbox.set(k, flag);
  }

  /** One message from the channel: another instance's changes, or its hello. */
  received(msg: Buffer): void {
    const m = decodeMessage(msg);
    if (m === null || m.instance === this.instanceHex) return;
    if (m.kind === KIND_HELLO) this.sendSnapshot = true;
    const { tracker, clock } = this.o;
    const now = Math.floor(clock.now() / 60000);
    for (const c of m.changes) {
      if (!c.stopped && !tracker.policy.allows(c.infoHash)) continue;
      tracker.store.mergeRemote(c.infoHash, c.addr, 0, c.addr.length as 6 | 18, c.seeder, c.stopped, now);
      this.remoteChanges++;
    }
  }

  /** After a reconnect of the subscription, changes published meanwhile were missed: ask for everyone's peers. */
  resubscribed(): void {
    this.sendHello = true;
  }

  /** After a resync: send all own peers and ask for everyone's. */
  resendAll(): void {
    this.sendSnapshot = true;
    this.sendHello = true;
  }

  /** Forgets own peers not announced for longer than the others keep them; at most once a minute. */
  pruneIdle(): void {
    const now = this.o.clock.now();
    if (now - this.lastPrune <= PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    const horizon = now - this.o.peerTimeoutMs - this.refreshMs;
    for (const [k, v] of this.local) if (v / 4 < horizon) this.local.delete(k);
  }

  /** Sends what changed (or everything, after a hello or a resync); on failure the changes wait for the next try. */
  async publish(send: (msgs: Buffer[]) => Promise<void>): Promise<void> {
    const sent = this.outbox;
    this.outbox = new Map();
    const msgs = this.messages(sent);
    if (msgs.length === 0) return;
    try {
      await send(msgs);
      this.sendHello = false;
      this.sendSnapshot = false;
    } catch (err) {
      for (const [k, v] of sent) if (!this.outbox.has(k) && this.outbox.size < MAX_OUTBOX) this.outbox.set(k, v);
      throw err;
    }
  }

  private messages(sent: ReadonlyMap<string, number>): Buffer[] {
    const { instance } = this.o;
    const msgs: Buffer[] = [];
    if (this.sendHello) msgs.push(...encodeMessages(KIND_HELLO, instance, []));
    if (this.sendSnapshot) {
      const horizon = this.o.clock.now() - this.o.peerTimeoutMs - this.refreshMs;
      const recs: Buffer[] = [];
      for (const [k, v] of this.local) {
        if (v / 4 < horizon) this.local.delete(k);
        else recs.push(encodeKeyRecord(k, v % 4));
      }
      for (const [k, v] of sent) if (v === F_STOPPED) recs.push(encodeKeyRecord(k, v));
      msgs.push(...encodeMessages(KIND_CHANGES, instance, recs));
    } else if (sent.size > 0) {
      const recs: Buffer[] = [];
      for (const [k, v] of sent) recs.push(encodeKeyRecord(k, v));
      msgs.push(...encodeMessages(KIND_CHANGES, instance, recs));
    }
    return msgs;
  }
}
