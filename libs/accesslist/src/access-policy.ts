/**
 * Who may announce. Closed mode (whitelist) and blacklist mode are one set lookup; open mode is a
 * no-op policy, so callers never branch on the mode (opentracker's `accesslist_hashisvalid(hash) 1`).
 */

export type AccessMode = 'open' | 'whitelist' | 'blacklist';

export const ACCESS_MODES: readonly AccessMode[] = ['open', 'whitelist', 'blacklist'];

export interface AccessPolicy {
  /** `infoHash` is the 20-character latin1 key used by `parseAccessList`. */
  allows(infoHash: string): boolean;
  /** Number of hashes on the list (0 in open mode). */
  readonly size: number;
  readonly mode: AccessMode;
}

const OPEN_POLICY: AccessPolicy = Object.freeze({ allows: () => true, size: 0, mode: 'open' as const });

/**
 * Builds the policy for one generation of the list. The set is used as is, not copied (lists can
 * hold a million hashes): treat it as immutable afterwards and build a new policy on reload.
 */
export function createAccessPolicy(mode: AccessMode, hashes: ReadonlySet<string>): AccessPolicy {
  switch (mode) {
    case 'open':
      return OPEN_POLICY;
    case 'whitelist':
      return Object.freeze({ allows: (infoHash: string) => hashes.has(infoHash), size: hashes.size, mode });
    case 'blacklist':
      return Object.freeze({ allows: (infoHash: string) => !hashes.has(infoHash), size: hashes.size, mode });
    default:
      throw new Error(`unknown access mode: ${JSON.stringify(mode satisfies never)}`);
  }
}
