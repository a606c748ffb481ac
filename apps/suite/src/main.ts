import fs from 'node:fs';
import tty from 'node:tty';
import { USAGE_EXIT_CODE, usageErrorText } from '../../../libs/common/src/cli-errors.js';
import { acquireInstanceLock, InstanceLockError } from '../../../libs/common/src/instance-lock.js';
import { localHttpUrl } from '../../../libs/common/src/local-url.js';
import { chooseLogFormat, createLogger, LOG_LEVELS, type LogFormat, type LogLevel } from '../../../libs/common/src/log.js';
import { createShutdown, installCrashGuard, onStopSignals, reportsFlushed } from '../../../libs/common/src/process-guard.js';
import { STARTUP_EXIT_CODE, StartupError } from '../../../libs/common/src/startup-error.js';
import { suiteSettings, withHostDefaults } from '../../../libs/common/src/suite-env.js';
import { parseTrackerConfig } from '../../tracker/src/config.js';
import { startTracker } from '../../tracker/src/tracker-service.js';
import { parsePublisherArgs } from '../../publisher/src/config.js';
import { startPublisher } from '../../publisher/src/publisher.js';
import { parseStatsArgs } from '../../stats/src/config.js';
import { startStats } from '../../stats/src/stats-app.js';
import { SUITE_HELP, readSuiteInput, splitArgs } from './suite-config.js';
import { startApp, type AppHandle } from './supervise-app.js';

// Wiring only: settings -> locks -> three apps in one process (one Node runtime instead of three fits a 128 MB VPS).
const cwd = process.cwd();
let input;
let settings;
let plan;
let level: LogLevel;
let format: LogFormat;
try {
  input = readSuiteInput(process.argv.slice(2), withHostDefaults(process.env), cwd);
  if (input.help) {
    process.stdout.write(SUITE_HELP);
    process.exit(0);
  }
  format = chooseLogFormat(input.env, tty.isatty(1));
  level = (input.env['LOG_LEVEL'] || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(level)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}`);
  settings = suiteSettings(input.env, cwd);
  const app = (name: string, err: unknown): never => {
    throw new Error(`${name}: ${(err as Error).message}`);
  };
  const trackerConfig = (() => {
    try {
      return parseTrackerConfig(
        ['-i', settings.bindHost, '-p', String(settings.trackerPort), '-P', String(settings.trackerPort), ...splitArgs(input.env['TRACKER_ARGS'])],
        { readFile: (p: string) => fs.readFileSync(p, 'utf8'), cwd, env: input.env },
      );
    } catch (err) {
      return app('TRACKER_ARGS', err);
    }
  })();
  const publisherArgs = (() => {
    try {
      return parsePublisherArgs(splitArgs(input.env['PUBLISHER_ARGS']), input.env, cwd);
    } catch (err) {
      return app('PUBLISHER_ARGS', err);
    }
  })();
  const statsExtra = (() => {
    try {
      return splitArgs(input.env['STATS_ARGS']);
    } catch (err) {
      return app('STATS_ARGS', err);
    }
  })();
  // The page hands out the trackers and web seed the publisher writes (served .torrent files and magnets
  // are rewritten to them), unless STATS_ARGS names its own.
  const own = (flag: string): boolean => statsExtra.some((a) => a === flag || a.startsWith(`${flag}=`));
  const fromPublisher = publisherArgs.kind !== 'run' ? [] : [
    ...(own('--announce') ? [] : ['--announce', publisherArgs.config.announceHttpUrl, '--announce', publisherArgs.config.announceUdpUrl]),
    ...(own('--web-seed') ? [] : ['--web-seed', publisherArgs.config.webSeedBaseUrl]),
  ];
  const statsArgs = (() => {
    try {
      return parseStatsArgs(['--host', settings.bindHost, ...fromPublisher, ...statsExtra], input.env, cwd);
    } catch (err) {
      return app('STATS_ARGS', err);
    }
  })();
  if ('help' in trackerConfig || publisherArgs.kind === 'help' || statsArgs.kind === 'help') throw new Error('--help is not an app flag inside the suite');
  // one hashing thread: each worker costs ~10-15 MB, and the suite's budget is a 128 MB VPS
  const publisherConfig = Object.freeze({ ...publisherArgs.config, hashThreads: 1 });
  plan = { trackerConfig, publisherConfig, statsConfig: statsArgs.config };
} catch (err) {
  process.stderr.write(usageErrorText('suite', (err as Error).message));
  process.exit(USAGE_EXIT_CODE);
}

const log = createLogger('suite', level, { format });
let trackerService: Awaited<ReturnType<typeof startTracker>> | null = null;
installCrashGuard(log, () => trackerService?.flush());
const apps: AppHandle[] = [];
// Stop signals are handled from here on: their default action ends the process on the spot, without a flush
onStopSignals(createShutdown({
  log,
  close: async () => {
    let flushed = true;
    for (const app of [...apps].reverse()) {
      try {
        if (!reportsFlushed(await app.stop())) flushed = false;
      } catch (err) {
        log.error({ app: app.name, err }, `${app.name} did not stop cleanly`);
        if (app.name === 'tracker') flushed = false;
      }
    }
    return { flushed };
  },
  flushSync: () => trackerService?.flush(),
}));
// SIGHUP reloads; it is also what a closed terminal sends, which must never stop or freeze the suite, so the
// handler is there before anything starts (the default action of SIGHUP ends the process)
process.on('SIGHUP', () => {
  if (trackerService === null) return;
  log.info('SIGHUP: tracker reloads its access list');
  void trackerService.reload();
});
let statsPort = plan.statsConfig.port;

async function cannotStart(err: unknown): Promise<never> {
  if (err instanceof StartupError || err instanceof InstanceLockError) {
    log.fatal(`suite cannot start: ${err.message}`);
    process.stderr.write(`suite: ${err.message}\n`);
  } else {
    log.fatal({ err }, 'suite could not start');
  }
  // what did start is stopped, so that its ports and files are free for the next attempt
  const stopped = Promise.allSettled([...apps].reverse().map((a) => a.stop()));
  await Promise.race([stopped, new Promise((r) => setTimeout(r, 3000))]);
  process.exit(err instanceof StartupError || err instanceof InstanceLockError ? STARTUP_EXIT_CODE : 1);
}

try {
  fs.mkdirSync(settings.dataDir, { recursive: true });
  fs.mkdirSync(settings.releasesDir, { recursive: true });
  if (!fs.existsSync(settings.whitelistPath)) fs.writeFileSync(settings.whitelistPath, '# info hashes served by the tracker, one per line (managed by the publisher)\n');
  // a second `npm start` on the same files stops here, naming the first one's pid
  await acquireInstanceLock(plan.trackerConfig.stateFile, 'tracker');
  await acquireInstanceLock(plan.publisherConfig.manifestPath, 'publisher');
  await acquireInstanceLock(plan.statsConfig.dbPath, 'stats site');
  // the tracker first: the publisher's first SIGHUP must find it listening
  apps.push(await startApp('tracker', log, 'TRACKER_PORT / BIND_HOST', async () => {
    const s = await startTracker(plan.trackerConfig, createLogger('tracker', plan.trackerConfig.logLevel, { format }));
    trackerService = s;
    return s;
  }));
  apps.push(await startApp('stats', log, 'STATS_PORT / BIND_HOST', async () => {
    const s = await startStats(plan.statsConfig, createLogger('stats', plan.statsConfig.logLevel, { format }));
    statsPort = s.port;
    return s;
  }));
  apps.push(await startApp('publisher', log, 'PUBLISHER_ARGS', async () => {
    return startPublisher(plan.publisherConfig, createLogger('publisher', plan.publisherConfig.logLevel, { format }));
  }));
} catch (err) {
  await cannotStart(err);
}

const page = localHttpUrl(settings.bindHost, statsPort);
log.info({
  page,
  publicPage: `${settings.statsBaseUrl}/`,
  announce: [settings.announceHttpUrl, settings.announceUdpUrl],
  releases: settings.releasesDir,
  config: input.configFile,
}, `ready: open ${page} and drop files into ${settings.releasesDir}`);

