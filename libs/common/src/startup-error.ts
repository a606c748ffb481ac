/**
 * Something at start that cannot work and that a restart will not fix (a port held by another program, a
 * state folder the service user cannot write, a whitelist that is a folder). The app prints it and exits
 * with 2, which tells bin/suite (and an operator reading `systemctl status`) not to retry in a loop.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}

export const STARTUP_EXIT_CODE = 2;

/** Turns "address in use" from a listen into a StartupError that says what to do; other errors pass through. */
export function explainListenError(err: unknown, what: string, setting: string): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'EADDRINUSE')
    return new StartupError(
      `${what}: the address is already in use (another instance or another program listens there); stop it, or choose another port with ${setting}`,
    );
  if (code === 'EACCES')
    return new StartupError(
      `${what}: permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE); choose another port with ${setting}`,
    );
  if (code === 'EADDRNOTAVAIL') return new StartupError(`${what}: this machine has no such address; check ${setting}`);
  return err;
}
