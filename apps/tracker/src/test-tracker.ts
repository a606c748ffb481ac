import type { Logger } from '../../../libs/common/src/log.js';
import type { HttpOptions } from './http-routes.js';
import { Tracker, type TrackerSettings } from './tracker.js';

/**
 * The settings, fixed clock and loggers the tracker's unit tests share, so a test states only what it changes.
 * Not a test file itself: the tests import it.
 */

/** The moment every fixed clock starts at. */
export const TEST_NOW = Date.UTC(2026, 10, 22);

/** opentracker's defaults (30 min interval, 45 min peer timeout, 50/200 numwant) in the given access mode. */
export function testSettings(accessMode: TrackerSettings['accessMode'] = 'whitelist'): TrackerSettings {
  return {
    accessMode,
    intervalSeconds: 1800,
    intervalJitterSeconds: 180,
    peerTimeoutSeconds: 2700,
    completionWindowSeconds: 86400,
    numwantDefault: 50,
    numwantMax: 200,
  };
}

/** A clock that never moves, with a fixed "random" draw. */
export const testClock = { now: (): number => TEST_NOW, random: (): number => 0.5 };

/** A tracker with the test settings and the fixed clock. */
export function testTracker(accessMode: TrackerSettings['accessMode'] = 'whitelist'): Tracker {
  return new Tracker(testSettings(accessMode), testClock);
}

/** The HTTP routes' options with the defaults (`/stats`, scrape max 64), no redirect, no stats clients, no proxies. */
export function testHttpOptions(closedMode: boolean): HttpOptions {
  return {
    statsPath: 'stats',
    redirectUrl: null,
    scrapeMax: 64,
    closedMode,
    isStatsClient: () => false,
    isTrustedProxy: () => false,
    hasTrustedProxies: false,
  };
}

/** A logger that drops everything. */
export const silentLog = { error() {}, warn() {}, info() {}, debug() {} } as unknown as Logger;

/** A logger that keeps the arguments of every call, at any level. */
export function recordingLog(): Logger & { lines: unknown[] } {
  const lines: unknown[] = [];
  const rec = (...args: unknown[]): void => {
    lines.push(args);
  };
  return { lines, error: rec, warn: rec, info: rec, debug: rec } as unknown as Logger & { lines: unknown[] };
}
