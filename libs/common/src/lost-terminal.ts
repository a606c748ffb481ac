import fs from 'node:fs';
import tty from 'node:tty';

/**
 * On the way out Node restores the terminal settings of whichever of stdin, stdout and stderr were terminals
 * when it started (ResetStdio in Node's src/node.cc), and aborts when that fails with anything but EPERM.
 * Once the terminal is closed (SIGHUP, then EIO on it) it fails with EIO: an app that survived the hangup, as
 * every app here does, would end in an abort (a segfault while Node prints the backtrace: exit status 139 and a
 * core dump) instead of its own exit code, however cleanly it stopped. ResetStdio skips a descriptor that is
 * closed or no longer the same file, so at exit each one that was a terminal and is not one any more is
 * pointed at /dev/null. Everything the apps log is written synchronously, so nothing is lost by it.
 */
export function releaseLostTerminalAtExit(): void {
  const terminals = [0, 1, 2].filter((fd) => tty.isatty(fd));
  if (terminals.length === 0) return;
  process.on('exit', () => {
    for (const fd of terminals) {
      // a live terminal answers isatty; a hung-up one fails it (EIO), like the reset would
      if (tty.isatty(fd)) continue;
      try {
        fs.closeSync(fd);
      } catch {
        continue;
      }
      try {
        // the lowest free descriptor: the one just closed (a closed one would do too, ResetStdio skips it)
        const devNull = fs.openSync('/dev/null', fd === 0 ? 'r' : 'w');
        if (devNull !== fd) fs.closeSync(devNull);
      } catch {
        // left closed
      }
    }
  });
}
