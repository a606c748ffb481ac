/**
 * The `--store` value: `memory` (the default: one process holds everything) or a Redis URL,
 * `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). Parsed once at start; the password never
 * leaves this object except into the Redis client, and `redactStoreUrl` is what logs and errors show.
 */
export type StoreSpec =
  | { readonly kind: 'memory' }
  | {
      readonly kind: 'redis';
      readonly tls: boolean;
      readonly host: string;
      readonly port: number;
      readonly db: number;
      readonly username: string | null;
      /** From the URL; the password file or REDIS_PASSWORD may supply one at start instead. */
      readonly password: string | null;
      /** The URL with the password replaced by `***`: safe for logs. */
      readonly display: string;
    };

const MAX_URL = 2048;

export function parseStoreSpec(text: string): StoreSpec {
  if (text === 'memory') return { kind: 'memory' };
  if (text.length > MAX_URL) throw new Error(`store URL longer than ${MAX_URL} characters`);
  const scheme = /^(rediss?):\/\//i.exec(text);
  if (scheme === null)
    throw new Error(
      `expected memory, redis://[user:password@]host:port[/db] or rediss://…, not ${JSON.stringify(redactStoreUrl(text).slice(0, 80))}`,
    );
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new Error(`not a valid URL: ${JSON.stringify(redactStoreUrl(text).slice(0, 80))}`);
  }
  if (u.hostname === '') throw new Error('the store URL has no host');
  if (u.search !== '' || u.hash !== '') throw new Error('the store URL takes no ?query or #fragment');
  const port = u.port === '' ? 6379 : Number(u.port);
  const dbText = u.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d{1,2}$/.test(dbText))
    throw new Error(`database must be a number 0-99 after the port, not ${JSON.stringify(dbText.slice(0, 20))}`);
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  return {
    kind: 'redis',
    tls: scheme[1]!.toLowerCase() === 'rediss',
    host,
    port,
    db: dbText === '' ? 0 : Number(dbText),
    username: u.username === '' ? null : decodeURIComponent(u.username),
    password: u.password === '' ? null : decodeURIComponent(u.password),
    display: redactStoreUrl(text),
  };
}

/** Replaces the password of a `scheme://user:password@host` text (even a malformed one) by `***`. */
export function redactStoreUrl(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^@]*@/i, '$1:***@');
}

/** Key prefix: printable, no spaces, short, so several sites can share one Redis. */
export function parseStorePrefix(text: string): string {
  if (!/^[A-Za-z0-9_:.{}-]{1,64}$/.test(text))
    throw new Error(`expected 1-64 characters of A-Z a-z 0-9 _ : . - { }, not ${JSON.stringify(text.slice(0, 70))}`);
  return text;
}
