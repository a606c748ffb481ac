import type { Redis } from 'ioredis';
import type { Logger } from '../../../libs/common/src/log.js';
import { decodeLists, encodeList, sameSet, union } from './redis-accesslist.js';
import type { Tracker } from './tracker.js';

export interface AclSyncOptions {
  readonly prefix: string;
  /** Our list is stored under this instance's journal id. */
  readonly journalId: string;
  /** The list this instance last loaded from its file; null when none was loaded. */
  readonly fileList: () => ReadonlySet<string> | null;
  readonly tracker: Tracker;
  readonly log: Logger;
}

/** Access lists shared through Redis: ours is stored when loaded, the others' are applied when their version moves. */
export class AclSync {
  /** The union of the other instances' stored lists. */
  private stored: ReadonlySet<string> = new Set();
  private version: string | null = null;
  /** Ours must be stored (again). */
  private dirty: boolean;

  constructor(
    private readonly r: Redis,
    private readonly o: AclSyncOptions,
  ) {
    this.dirty = o.fileList() !== null;
  }

  /** The list to apply after loading `file`: the union with the other instances' lists; `file` is shared next. */
  loaded(file: ReadonlySet<string>): ReadonlySet<string> {
    this.dirty = true;
    return union(file, this.stored);
  }

  /** `version`: the shared lists' version read in this exchange. */
  async exchange(version: string | null): Promise<void> {
    const { prefix: P, journalId, tracker, log } = this.o;
    const file = this.o.fileList();
    if (this.dirty && file !== null) {
      this.dirty = false;
      try {
        await this.r.multi().hset(`${P}acl`, journalId, encodeList(file)).incr(`${P}acl:v`).exec();
      } catch (err) {
        this.dirty = true;
        throw err;
      }
      return; // the version moved: the next exchange reads every list, ours included
    }
    if (version === this.version) return;
    const all = await this.r.hgetall(`${P}acl`);
    this.version = version;
    // our own list is applied from the file directly, so a hash removed there goes at once, not an exchange later
    const next = decodeLists(
      Object.entries(all)
        .filter(([k]) => k !== journalId)
        .map(([, v]) => v),
    );
    if (sameSet(next, this.stored)) return;
    this.stored = next;
    const { dropped, delisted } = tracker.setAccessList(union(file ?? new Set(), this.stored));
    log.info(
      { lists: Object.keys(all).length, hashes: this.stored.size, applied: tracker.policy.size, delisted, peersDropped: dropped },
      'access list from the redis store applied',
    );
  }
}
