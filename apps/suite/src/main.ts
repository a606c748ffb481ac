import fs from 'node:fs';
import { createLogger, type LogLevel } from '../../../libs/common/src/log.js';
import { suiteSettings } from '../../../libs/common/src/suite-env.js';
import { parseTrackerConfig } from '../../tracker/src/config.js';
import { startTracker } from '../../tracker/src/tracker-service.js';
import { parsePublisherArgs } from '../../publisher/src/config.js';
import { startPublisher } from '../../publisher/src/publisher.js';
import { parseStatsArgs } from '../../stats/src/config.js';
import { startStats } from '../../stats/src/stats-app.js';
import { SUITE_HELP, readSuiteInput, splitArgs } from './suite-config.js';
import { superviseApp, type AppHandle } from './supervise-app.js';

// Wiring only: settings -> three apps in one process (one Node runtime instead of three fits a 128 MB VPS).
const cwd = process.cwd();
let input;
let settings;
let plan;
try {
  input = readSuiteInput(process.argv.slice(2), process.env, cwd);
  if (input.help) {
    process.stdout.write(SUITE_HELP);
    process.exit(0);
  }
  settings = suiteSettings(input.env, cwd);
  const trackerConfig = parseTrackerConfig(
    ['-i', settings.bindHost, '-p', String(settings.trackerPort), '-P', String(settings.trackerPort), ...splitArgs(input.env['TRACKER_ARGS'])],
    { readFile: (p: string) => fs.readFileSync(p, 'utf8'), cwd, env: input.env },
  );
  const publisherArgs = parsePublisherArgs(splitArgs(input.env['PUBLISHER_ARGS']), input.env, cwd);
  const statsArgs = parseStatsArgs(['--host', settings.bindHost, ...splitArgs(input.env['STATS_ARGS'])], input.env, cwd);
  if ('help' in trackerConfig || publisherArgs.kind === 'help' || statsArgs.kind === 'help') throw new Error('--help is not an app flag inside the suite');
  // one hashing thread: each worker costs ~10-15 MB, and the suite's budget is a 128 MB VPS
  const publisherConfig = Object.freeze({ ...publisherArgs.config, hashThreads: 1 });
  plan = { trackerConfig, publisherConfig, statsConfig: statsArgs.config };
} catch (err) {
  process.stderr.write(`suite: ${(err as Error).message}\n`);
  process.exit(2);
}

const level = (input.env['LOG_LEVEL'] || 'info') as LogLevel;
const log = createLogger('suite', level);
fs.mkdirSync(settings.dataDir, { recursive: true });
fs.mkdirSync(settings.releasesDir, { recursive: true });
if (!fs.existsSync(settings.whitelistPath)) fs.writeFileSync(settings.whitelistPath, '# info hashes served by the tracker, one per line (managed by the publisher)\n');

let trackerService: Awaited<ReturnType<typeof startTracker>> | null = null;
const apps: AppHandle[] = [];
// the tracker first: the publisher's first SIGHUP must find it listening
apps.push(await superviseApp('tracker', log, async () => {
  const s = await startTracker(plan.trackerConfig, createLogger('tracker', plan.trackerConfig.logLevel));
  trackerService = s;
  // close() also logs whether the tracker's counts reached the disk
  return { close: async () => { await s.close(); } };
}));
apps.push(await superviseApp('stats', log, async () => {
  const s = await startStats(plan.statsConfig, createLogger('stats', plan.statsConfig.logLevel));
  return { close: () => s.close() };
}));
apps.push(await superviseApp('publisher', log, async () => {
  const p = await startPublisher(plan.publisherConfig, createLogger('publisher', plan.publisherConfig.logLevel));
  return { close: () => p.close() };
}));
log.info({
  page: `${settings.statsBaseUrl}/`,
  announce: [settings.announceHttpUrl, settings.announceUdpUrl],
  releases: settings.releasesDir,
  config: input.configFile,
}, 'suite running: drop files into the releases folder');

process.on('SIGHUP', () => {
  log.info('SIGHUP: tracker reloads its access list');
  void trackerService?.reload();
});
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping the suite');
    void (async () => {
      for (const app of [...apps].reverse()) await app.stop();
      process.exit(0);
    })();
  });
}
process.on('uncaughtException', (err) => {
  log.fatal({ err }, 'uncaught exception: flushing tracker state and exiting (the launcher restarts the suite)');
  trackerService?.flush();
  process.exit(1);
});
