/**
 * A URL a person on this machine can open for a server bound to `host`: a wildcard bind (0.0.0.0, ::) is
 * reached at 127.0.0.1 (a browser cannot open http://0.0.0.0/), an IPv6 address gets its brackets.
 */
export function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '' || host === '::0') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export function localHttpUrl(host: string, port: number, pathname = '/'): string {
  return `http://${reachableHost(host)}:${port}${pathname}`;
}
