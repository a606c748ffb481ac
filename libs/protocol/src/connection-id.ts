/**
 * BEP 15 connection ids that expire and cannot be forged without the secret:
 *   id = first 8 bytes of HMAC-SHA256(secret, u64be(window) || ip),   window = floor(now / windowSeconds)
 * verify() accepts the current and the previous window, so an id lives between 1 and 2 windows
 * (2-4 minutes by default; BEP 15 asks for about 2). The id depends on the IP only, not the port, like
 * opentracker, so a client with several sockets shares one id. Callers must pass the IP in one canonical
 * form (e.g. strip "::ffff:" from v4-mapped addresses) for issue and verify alike.
 *
 * Steady clients cost a Map lookup, not an HMAC: ids are cached per window, and the cache is bounded
 * (cleared when full). Both windows' caches are asked before any HMAC is computed: after a window ends, a
 * client keeps sending the id it was given (BEP 15 clients reuse one for a minute), and each of those
 * packets would otherwise miss the new window's cache and pay an HMAC before the old window's matched.
 * Failed verifications are not cached, so spoofed packets cannot flush good entries out; they cost up to
 * two HMACs each.
 */
import { createHmac } from 'node:crypto';

export interface ConnectionIds {
  /** The id for `ip` now. The returned Buffer is shared with the cache: copy it, do not change it. */
  issue(ip: string, nowSeconds: number): Buffer;
  /** Is `id` (8 bytes) one that issue() gave `ip` in this window or the previous one? */
  verify(id: Uint8Array, ip: string, nowSeconds: number): boolean;
  /** HMACs computed so far: the cost that caching keeps off steady clients. */
  readonly hmacs: number;
}

export const MIN_SECRET_BYTES = 16;

export function createConnectionIds(secret: Uint8Array, windowSeconds = 120, maxCached = 65536): ConnectionIds {
  if (secret.length < MIN_SECRET_BYTES) throw new RangeError(`connection id secret must be at least ${MIN_SECRET_BYTES} bytes`);
  if (!(windowSeconds > 0)) throw new RangeError('windowSeconds must be positive');
  if (!(maxCached >= 1)) throw new RangeError('maxCached must be at least 1');
  const key = Buffer.from(secret);
  const windowBytes = Buffer.alloc(8);
  let window = Number.NaN;
  let current = new Map<string, Buffer>();
  let previous = new Map<string, Buffer>();

  let hmacs = 0;

  function compute(w: number, ip: string): Buffer {
    hmacs++;
    windowBytes.writeUInt32BE(Math.floor(w / 0x1_0000_0000), 0);
    windowBytes.writeUInt32BE(w >>> 0, 4);
    return createHmac('sha256', key).update(windowBytes).update(ip, 'utf8').digest().subarray(0, 8);
  }

  function windowOf(nowSeconds: number): number {
    if (!(nowSeconds >= 0 && nowSeconds < 2 ** 52)) throw new RangeError(`nowSeconds out of range: ${nowSeconds}`);
    const w = Math.floor(nowSeconds / windowSeconds);
    if (w !== window) {
      if (w === window + 1) {
        previous = current;
        current = new Map();
      } else {
        // First call, a jump of several windows, or the clock went back: nothing cached is valid.
        previous = new Map();
        current = new Map();
      }
      window = w;
    }
    return w;
  }

  function remember(cache: Map<string, Buffer>, ip: string, id: Buffer): void {
    if (cache.size >= maxCached) cache.clear();
    cache.set(ip, id);
  }

  /** The window's id, computed for a cache that has none for `ip`; kept only if it is `id`. */
  function computeMatch(cache: Map<string, Buffer>, w: number, ip: string, id: Uint8Array): boolean {
    const fresh = compute(w, ip);
    if (!equal8(fresh, id)) return false;
    remember(cache, ip, fresh);
    return true;
  }

  return {
    issue(ip, nowSeconds) {
      const w = windowOf(nowSeconds);
      let id = current.get(ip);
      if (id === undefined) {
        id = compute(w, ip);
        remember(current, ip, id);
      }
      return id;
    },
    verify(id, ip, nowSeconds) {
      if (id.length !== 8) return false;
      const w = windowOf(nowSeconds);
      const now = current.get(ip);
      if (now !== undefined && equal8(now, id)) return true;
      const before = previous.get(ip);
      if (before !== undefined && equal8(before, id)) return true;
      return (now === undefined && computeMatch(current, w, ip, id)) || (before === undefined && computeMatch(previous, w - 1, ip, id));
    },
    get hmacs() {
      return hmacs;
    },
  };
}

/** Compares all 8 bytes whatever the first difference (no early exit). */
function equal8(a: Uint8Array, b: Uint8Array): boolean {
  let diff = 0;
  for (let i = 0; i < 8; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}
