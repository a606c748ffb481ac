import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  initialState,
  isBusy,
  step,
  type MachineAction,
  type MachineEvent,
  type MachineSettings,
  type MachineState,
  type Snapshot,
} from './release-machine.js';

const cfg: MachineSettings = { quietMs: 15_000, recheckMs: 500, debounceMs: 300, retryMinMs: 2000, retryMaxMs: 60_000, once: false };

type S = string;
const rel = (stamp: string, changedAtMs: number): Snapshot<S> => ({ kind: 'release', stamp, changedAtMs, state: stamp });
const missing: Snapshot<S> = { kind: 'missing', state: 'missing' };

/** Feeds events in order; returns the final state and every action, as compact strings. */
function drive(events: MachineEvent<S>[], settings = cfg, from: MachineState<S> = initialState()): { st: MachineState<S>; log: string[] } {
  let st = from;
  const log: string[] = [];
  for (const ev of events) {
    const r = step(st, ev, settings);
    st = r.state;
    log.push(r.actions.map(show).join(',') || '-');
  }
  return { st, log };
}

function show(a: MachineAction<S>): string {
  switch (a.type) {
    case 'arm':
      return `arm ${a.ms}`;
    case 'hash':
    case 'publish':
      return `${a.type} ${a.snap.stamp}`;
    case 'gone':
      return `gone ${a.snap.kind}${a.duringHash ? ' during hash' : ''}`;
    case 'failed':
      return `failed ${a.reason} ${a.retryInMs}`;
    case 'discarded':
      return `discarded ${a.waitMs}`;
    default:
      return a.type;
  }
}

describe('release machine', () => {
  test('an old file at startup: two agreeing scans, then hash, verify, publish, done', () => {
    const t = 1_000_000;
    const { st, log } = drive([
      { type: 'look', now: t },
      { type: 'timer', now: t },
      { type: 'scanned', now: t, snap: rel('a', t - 60_000) },
      { type: 'timer', now: t + 500 },
      { type: 'scanned', now: t + 500, snap: rel('a', t - 60_000) },
      { type: 'hashed', now: t + 900, reused: false },
      { type: 'verified', now: t + 950, snap: rel('a', t - 60_000) },
      { type: 'committed', now: t + 999 },
    ]);
    assert.deepEqual(log, ['arm 0', 'scan', 'arm 500', 'scan', 'hash a', 'verify', 'publish a', 'done']);
    assert.equal(isBusy(st), false);
  });

  test('a fresh file waits until it has been unchanged for the whole quiet period (from its mtime/ctime)', () => {
    const t = 1_000_000;
    const { log } = drive([
      { type: 'changed', now: t },
      { type: 'timer', now: t + 300 },
      { type: 'scanned', now: t + 300, snap: rel('a', t) },
      { type: 'timer', now: t + 15_000 },
      { type: 'scanned', now: t + 15_000, snap: rel('a', t) },
    ]);
    assert.deepEqual(log, ['arm 300', 'scan', 'arm 14700', 'scan', 'hash a']);
  });

  test('a copy that pauses 5 s is not hashed during the pause; the quiet period restarts at each change', () => {
    const t = 1_000_000;
    const { log } = drive([
      { type: 'changed', now: t },
      { type: 'timer', now: t + 300 },
      { type: 'scanned', now: t + 300, snap: rel('half', t) },
      // the writer resumes after 5 s: a watcher event re-arms the debounce
      { type: 'changed', now: t + 5000 },
      { type: 'timer', now: t + 5300 },
      { type: 'scanned', now: t + 5300, snap: rel('full', t + 5000) },
      { type: 'timer', now: t + 20_300 },
      { type: 'scanned', now: t + 20_300, snap: rel('full', t + 5000) },
    ]);
    assert.deepEqual(log, ['arm 300', 'scan', 'arm 14700', 'arm 300', 'scan', 'arm 15000', 'scan', 'hash full']);
  });

  test('file times from a clock running behind do not shorten the recheck: two scans 500 ms apart are still needed', () => {
    const t = 1_000_000;
    const { log } = drive([
      { type: 'look', now: t },
      { type: 'timer', now: t },
      { type: 'scanned', now: t, snap: rel('a', 0) },
      { type: 'timer', now: t + 100 }, // early timer (not possible with a real one), second scan too soon
      { type: 'scanned', now: t + 100, snap: rel('a', 0) },
    ]);
    assert.deepEqual(log, ['arm 0', 'scan', 'arm 500', 'scan', 'arm 500']);
  });

  test('a stamp change seen between scans counts as a change now, whatever the file times say', () => {
    const t = 1_000_000;
    const { log } = drive([
      { type: 'look', now: t },
      { type: 'timer', now: t },
      { type: 'scanned', now: t, snap: rel('a', 0) },
      { type: 'timer', now: t + 500 },
      { type: 'scanned', now: t + 500, snap: rel('b', 0) },
    ]);
    assert.deepEqual(log, ['arm 0', 'scan', 'arm 500', 'scan', 'arm 15000']);
  });

  test('changed during hashing (size/mtime differ after hashing): result discarded, waits the quiet period again', () => {
    const t = 1_000_000;
    const start = drive([
      { type: 'look', now: t },
      { type: 'timer', now: t },
      { type: 'scanned', now: t, snap: rel('a', 0) },
      { type: 'timer', now: t + 500 },
      { type: 'scanned', now: t + 500, snap: rel('a', 0) },
    ]);
    const { st, log } = drive(
      [
        { type: 'changed', now: t + 600 }, // watcher event during hashing: remembered, not acted on
        { type: 'hashed', now: t + 2000, reused: false },
        { type: 'verified', now: t + 2000, snap: rel('b', t + 600) },
        { type: 'timer', now: t + 17_000 },
        { type: 'scanned', now: t + 17_000, snap: rel('b', t + 600) },
      ],
      cfg,
      start.st,
    );
    assert.deepEqual(log, ['-', 'verify', 'discarded 15000,arm 15000', 'scan', 'hash b']);
    assert.equal(st.phase, 'hashing');
  });

  test('the hasher reports the payload changed: discarded, waits again; deleted during hashing: gone', () => {
    const t = 1_000_000;
    const hashing = drive([
      { type: 'look', now: t },
      { type: 'timer', now: t },
      { type: 'scanned', now: t, snap: rel('a', 0) },
      { type: 'timer', now: t + 500 },
      { type: 'scanned', now: t + 500, snap: rel('a', 0) },
    ]).st;
    assert.deepEqual(drive([{ type: 'hashFailed', now: t + 700, reason: 'changed' }], cfg, hashing).log, ['discarded 15000,arm 15000']);
    assert.deepEqual(
      drive(
        [
          { type: 'hashed', now: t + 700, reused: false },
          { type: 'verified', now: t + 700, snap: missing },
          { type: 'committed', now: t + 800 },
        ],
        cfg,
        hashing,
      ).log,
      ['verify', 'gone missing during hash', 'done'],
    );
  });

  test('missing or refused on a scan: gone, then done', () => {
    assert.deepEqual(
      drive([
        { type: 'look', now: 0 },
        { type: 'timer', now: 0 },
        { type: 'scanned', now: 0, snap: { kind: 'refused', state: 'x' } },
        { type: 'committed', now: 1 },
      ]).log,
      ['arm 0', 'scan', 'gone refused', 'done'],
    );
  });

  test('already published (reused): no verify, done; a change during the step looks again after it', () => {
    const t = 1_000_000;
    const hashing = drive([
      { type: 'look', now: t },
      { type: 'timer', now: t },
      { type: 'scanned', now: t, snap: rel('a', 0) },
      { type: 'timer', now: t + 500 },
      { type: 'scanned', now: t + 500, snap: rel('a', 0) },
    ]).st;
    assert.deepEqual(drive([{ type: 'hashed', now: t + 501, reused: true }], cfg, hashing).log, ['done']);
    assert.deepEqual(
      drive(
        [
          { type: 'changed', now: t + 501 },
          { type: 'hashed', now: t + 502, reused: true },
        ],
        cfg,
        hashing,
      ).log,
      ['-', 'arm 300'],
    );
  });

  test('failures: unreadable gives up until a change; errors retry with a growing delay; --once does not retry', () => {
    const t = 1_000_000;
    const hashing = drive([
      { type: 'look', now: t },
      { type: 'timer', now: t },
      { type: 'scanned', now: t, snap: rel('a', 0) },
      { type: 'timer', now: t + 500 },
      { type: 'scanned', now: t + 500, snap: rel('a', 0) },
    ]).st;
    assert.deepEqual(
      drive(
        [
          { type: 'hashFailed', now: t, reason: 'unreadable' },
          { type: 'changed', now: t + 1 },
        ],
        cfg,
        hashing,
      ).log,
      ['failed unreadable null,done', 'arm 300'],
    );
    const retries = drive(
      [
        { type: 'hashFailed', now: t, reason: 'error' },
        { type: 'timer', now: t + 2000 },
        { type: 'stepFailed', now: t + 2001 },
        { type: 'timer', now: t + 6001 },
        { type: 'stepFailed', now: t + 6002 },
      ],
      cfg,
      hashing,
    );
    assert.deepEqual(retries.log, [
      'failed error 2000,arm 2000',
      'scan',
      'failed error 4000,arm 4000',
      'scan',
      'failed error 8000,arm 8000',
    ]);
    assert.deepEqual(drive([{ type: 'hashFailed', now: t, reason: 'error' }], { ...cfg, once: true }, hashing).log, [
      'failed error null,done',
    ]);
  });

  test('stale events change nothing; look does not cut short a wait already armed', () => {
    assert.deepEqual(
      drive([
        { type: 'timer', now: 0 },
        { type: 'committed', now: 0 },
        { type: 'hashed', now: 0, reused: false },
      ]).log,
      ['-', '-', '-'],
    );
    assert.deepEqual(
      drive([
        { type: 'changed', now: 0 },
        { type: 'look', now: 1 },
      ]).log,
      ['arm 300', '-'],
    );
  });
});

describe('release machine, simulated (property)', () => {
  /**
   * A release whose content changes at random times (each change fires a watcher event), scans and hashes taking
   * random time, run by a simulated clock. Safety: every hash starts on content unchanged for the quiet period, and
   * every publish is of content unchanged from hash start to verify. Liveness: with watcher events, the final
   * content gets published.
   */
  test('never hashes before the quiet period, never publishes content that changed; publishes the final content', () => {
    const settings: MachineSettings = { quietMs: 1000, recheckMs: 200, debounceMs: 50, retryMinMs: 100, retryMaxMs: 1000, once: false };
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 1500 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: 900 }), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        (gaps, durations, watched) => {
          const changes: number[] = [];
          let t = 0;
          for (const g of gaps) changes.push((t += g));
          const stampAt = (time: number) => String(changes.filter((c) => c <= time).length);
          const changedAt = (time: number) => changes.filter((c) => c <= time).at(-1) ?? -1e9;
          const unchangedDuring = (from: number, to: number) => !changes.some((c) => c > from && c <= to);
          const queue: Array<{ at: number; ev: MachineEvent<S> }> = [{ at: 0, ev: { type: 'look', now: 0 } }];
          if (watched) for (const c of changes) queue.push({ at: c, ev: { type: 'changed', now: c } });
          let st = initialState<S>();
          let timerAt: number | null = null;
          let hashStart = 0;
          let d = 0;
          const published: string[] = [];
          const end = t + 20_000;
          while (queue.length > 0 || timerAt !== null) {
            queue.sort((a, b) => a.at - b.at);
            const next = queue[0];
            let item: { at: number; ev: MachineEvent<S> };
            if (timerAt !== null && (next === undefined || timerAt <= next.at)) {
              item = { at: timerAt, ev: { type: 'timer', now: timerAt } };
              timerAt = null;
            } else item = queue.shift() as { at: number; ev: MachineEvent<S> };
            if (item.at > end) break;
            const r = step(st, item.ev, settings);
            st = r.state;
            const now = item.at;
            for (const a of r.actions) {
              const dur = durations[d++ % durations.length] as number;
              if (a.type === 'arm') timerAt = now + a.ms;
              else if (a.type === 'scan' || a.type === 'verify') {
                const at = now + dur / 10;
                const snap = rel(stampAt(at), changedAt(at));
                queue.push({ at, ev: a.type === 'scan' ? { type: 'scanned', now: at, snap } : { type: 'verified', now: at, snap } });
              } else if (a.type === 'hash') {
                assert.equal(a.snap.stamp, stampAt(now));
                assert.ok(
                  unchangedDuring(now - settings.quietMs, now),
                  `hash at ${now} within the quiet period of a change (${changes.join(',')})`,
                );
                hashStart = now;
                queue.push({ at: now + dur, ev: { type: 'hashed', now: now + dur, reused: false } });
              } else if (a.type === 'publish') {
                assert.ok(unchangedDuring(hashStart, now), `published content that changed after ${hashStart} (${changes.join(',')})`);
                published.push(a.snap.stamp);
                queue.push({ at: now + 1, ev: { type: 'committed', now: now + 1 } });
              }
            }
          }
          // Without watcher events only the startup look happens: a later change is never seen (safety still holds).
          if (watched) assert.equal(published.at(-1), String(changes.length), 'the final content is published');
        },
      ),
      { seed: 42, numRuns: 3000 },
    );
  });
});
