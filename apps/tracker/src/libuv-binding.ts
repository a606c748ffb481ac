import util from 'node:util';

/**
 * Access to Node's own libuv wrappers (`tcp_wrap`, `stream_wrap`, `udp_wrap`, `uv`), which node:net and
 * node:dgram are built on. `process.binding` keeps these on its allow list (lib/internal/bootstrap/realm.js in
 * Node) and warns only under --pending-deprecation. Callers check the shape of what they get and fall back to
 * node:net / node:dgram when it differs.
 */
export function nodeBinding(name: string): Record<string, unknown> | null {
  try {
    const b = (process as unknown as { binding(name: string): unknown }).binding(name);
    return typeof b === 'object' && b !== null ? (b as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A Node-style error for a libuv status (`code` as node:net and node:dgram give it, so callers explain it the same way). */
export function uvError(status: number, syscall: string, address?: string, port?: number): NodeJS.ErrnoException {
  let code: string;
  try {
    code = util.getSystemErrorName(status);
  } catch {
    code = `E${-status}`;
  }
  const where = address === undefined ? '' : ` ${address}:${port}`;
  return Object.assign(new Error(`${syscall} ${code}${where}`), { code, errno: status, syscall, address, port });
}
