/**
 * Access lists shared through Redis: each instance that loads a list file (start, SIGHUP) stores it under
 * its journal id in one hash, `<prefix>acl`, and bumps `<prefix>acl:v`; every instance applies the union of its
 * own file and every stored list. So the publisher signals only the tracker next to it, and the others follow
 * within a second. The stored form is the 40-hex hashes concatenated; anything else in a value is ignored.
 */
export const MAX_SHARED_HASHES = 1_000_000;

/** 20-char latin1 keys -> stored value. */
export function encodeList(hashes: ReadonlySet<string>): string {
  let out = '';
  for (const k of hashes) out += Buffer.from(k, 'latin1').toString('hex');
  return out;
}

/** Union of stored values, as 20-char latin1 keys; stops at `cap` hashes. */
export function decodeLists(values: Iterable<string>, cap = MAX_SHARED_HASHES): Set<string> {
  const out = new Set<string>();
  for (const v of values) {
    for (let i = 0; i + 40 <= v.length && out.size < cap; i += 40) {
      const hex = v.slice(i, i + 40);
      if (!/^[0-9a-f]{40}$/.test(hex)) break;
      out.add(Buffer.from(hex, 'hex').toString('latin1'));
    }
  }
  return out;
}

export function union(a: ReadonlySet<string>, b: ReadonlySet<string>): ReadonlySet<string> {
  if (b.size === 0) return a;
  if (a.size === 0) return b;
  const out = new Set(a);
  for (const k of b) out.add(k);
  return out;
}

export function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const k of a) if (!b.has(k)) return false;
  return true;
}
