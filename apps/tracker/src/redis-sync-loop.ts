import type { Logger } from '../../../libs/common/src/log.js';
import type { ClusterCountView } from './cluster-count-view.js';
import type { AclSync } from './redis-acl-sync.js';
import type { CompletionSync } from './redis-completion-sync.js';
import type { RedisLinks } from './redis-connections.js';
import type { LinkHealth } from './redis-link-health.js';
import type { PeerSync } from './redis-peer-sync.js';

export interface SyncParts {
  readonly prefix: string;
  readonly links: RedisLinks;
  readonly health: LinkHealth;
  readonly peers: PeerSync;
  readonly counts: ClusterCountView;
  readonly completions: CompletionSync;
  /** null in open mode: there is no list to share. */
  readonly acl: AclSync | null;
  readonly log: Logger;
}

/**
 * One exchange with Redis per tick, never two at once: resync when needed, then peers out, completions out, the
 * feed in, and the access lists. Any failure marks the instance degraded and forces a resync next time.
 */
export class SyncLoop {
  private synced = false;
  private busy = false;
  private closed = false;

  constructor(private readonly p: SyncParts) {}

  async tick(): Promise<void> {
    if (this.busy || this.closed) return;
    const { links, health, peers, completions } = this.p;
    this.busy = true;
    try {
      peers.pruneIdle();
      if (!links.ready()) {
        health.setConnected(false);
        this.synced = false;
        return;
      }
      if (!this.synced) {
        await completions.resync();
        this.synced = true;
        peers.resendAll();
      }
      await this.exchange();
      health.synced();
    } catch (err) {
      health.noteError(err, 'redis exchange failed');
      this.synced = false;
      health.setConnected(false);
    } finally {
      this.busy = false;
    }
  }

  private async exchange(): Promise<void> {
    const { prefix: P, links, peers, counts, completions, acl } = this.p;
    await peers.publish((msgs) => links.publish(msgs));
    // completions: forward a batch, then read the feed up to at least what the batch added
    const sent = await completions.submit();
    if (sent === null) {
      this.synced = false;
      return;
    }
    const [jid, version] = await links.cmd.mget(`${P}journal`, `${P}acl:v`);
    // Redis was reset (or flushed), or the feed was trimmed past our cursor: counts, feed and
    // acknowledgements must be read again
    if (jid !== counts.clusterId || !(await completions.follow(sent))) {
      this.synced = false;
      return;
    }
    if (acl !== null) await acl.exchange(version ?? null);
  }

  /** One last hand-over of what is pending, unless an exchange is already running or Redis is away; then stops. */
  async close(): Promise<void> {
    for (let i = 0; i < 20 && this.busy; i++) await new Promise((res) => setTimeout(res, 50));
    if (!this.busy && this.p.links.ready()) {
      await this.tick();
    }
    this.closed = true;
    const pending = this.p.counts.pendingTotal;
    if (pending > 0) {
      this.p.log.warn(
        { pendingCompletions: pending },
        'completions not yet in Redis stay in the local journal and are handed over at the next start',
      );
    }
    this.p.links.disconnect();
  }
}
