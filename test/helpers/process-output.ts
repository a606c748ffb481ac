import type { ChildProcess } from 'node:child_process';
import os from 'node:os';

/**
 * What a child process (./bin/tracker, ./bin/suite...) writes, collected from the moment it is spawned: stdout
 * split into lines and the pino JSON records among them, stderr as text, and its exit code. waitForLog lets a
 * test wait for a record with a deadline and fails with the output when the process dies first.
 */

export interface LogLine {
  readonly [key: string]: unknown;
  readonly msg?: string;
}

export interface ProcessOutput {
  /** Raw stdout lines so far. */
  lines(): string[];
  /** stdout lines that parsed as JSON. */
  records(): LogLine[];
  stderr(): string;
  /** Exit code, or -signal number; null while running. */
  exitCode(): number | null;
  readonly exited: Promise<number>;
  /** Resolves with the first record from `fromIndex` on (already seen or future) that matches; rejects after timeoutMs. */
  waitForLog(pred: (rec: LogLine) => boolean, timeoutMs?: number, fromIndex?: number): Promise<LogLine>;
}

interface Collected {
  readonly lines: string[];
  readonly recs: LogLine[];
  stderr: string;
  code: number | null;
  /** Called after every stdout chunk. */
  readonly waiters: Set<() => void>;
}

/** The exit code of a child that exited with `code` or was killed by `sig` (-signal number then). */
function exitCodeOf(code: number | null, sig: NodeJS.Signals | null): number {
  return code ?? (sig !== null ? -(os.constants.signals[sig] ?? 1) : -1);
}

/** Splits stdout into lines, keeping the JSON ones also as records. */
function collectStdout(child: ChildProcess, c: Collected): void {
  let partial = '';
  child.stdout?.setEncoding('utf8');
  child.stdout?.on('data', (chunk: string) => {
    partial += chunk;
    let nl;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const line = partial.slice(0, nl);
      partial = partial.slice(nl + 1);
      c.lines.push(line);
      try {
        c.recs.push(JSON.parse(line) as LogLine);
      } catch {
        // not JSON: kept in lines() only
      }
    }
    for (const w of [...c.waiters]) w();
  });
  // a child killed mid-write must not fail the test process with an unhandled stream error
  child.stdout?.on('error', () => {});
}

function waitForLogIn(child: ChildProcess, name: string, c: Collected) {
  return (pred: (rec: LogLine) => boolean, timeoutMs = 5000, fromIndex = 0): Promise<LogLine> =>
    new Promise((resolve, reject) => {
      let checked = fromIndex;
      const check = (): boolean => {
        for (; checked < c.recs.length; checked++) {
          const r = c.recs[checked]!;
          if (pred(r)) {
            done();
            resolve(r);
            return true;
          }
        }
        return false;
      };
      const output = (n: number): string => `stdout:\n${c.lines.slice(-n).join('\n')}\nstderr:\n${c.stderr}`;
      const onExit = (): void => {
        if (check()) return;
        done();
        reject(new Error(`${name} exited (code ${String(c.code)}) before the expected log line\n${output(Infinity)}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${name}: no matching log line within ${timeoutMs} ms\n${output(30)}`));
      }, timeoutMs);
      const waiter = (): void => {
        check();
      };
      const done = (): void => {
        clearTimeout(timer);
        c.waiters.delete(waiter);
        child.off('exit', onExit);
      };
      if (check()) return;
      c.waiters.add(waiter);
      child.once('exit', onExit);
    });
}

/** Starts collecting at once: call it right after spawn. `name` labels error messages. */
export function collectOutput(child: ChildProcess, name: string): ProcessOutput {
  const c: Collected = { lines: [], recs: [], stderr: '', code: null, waiters: new Set() };
  const exited = new Promise<number>((resolve) => {
    child.once('exit', (code, sig) => {
      c.code = exitCodeOf(code, sig);
      resolve(c.code);
    });
  });
  collectStdout(child, c);
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    c.stderr += chunk;
  });
  return {
    lines: () => [...c.lines],
    records: () => [...c.recs],
    stderr: () => c.stderr,
    exitCode: () => c.code,
    exited,
    waitForLog: waitForLogIn(child, name, c),
  };
}
