import fs from 'node:fs';
import tty from 'node:tty';
import { configOrExit } from '../../../libs/common/src/config/config-or-exit.js';
import { acquireInstanceLock, InstanceLockError } from '../../../libs/common/src/instance-lock.js';
import { localHttpUrl } from '../../../libs/common/src/local-url.js';
import { chooseLogFormat, createLogger } from '../../../libs/common/src/log.js';
import { createShutdown, installCrashGuard, onStopSignals, reportsFlushed } from '../../../libs/common/src/process-guard.js';
import { releaseLostTerminalAtExit } from '../../../libs/common/src/lost-terminal.js';
import { STARTUP_EXIT_CODE, StartupError } from '../../../libs/common/src/startup-error.js';
import { withHostDefaults } from '../../../libs/common/src/suite-env.js';
import { startTracker } from '../../tracker/src/tracker-service.js';
import { startPublisher } from '../../publisher/src/publisher.js';
import { startStats } from '../../stats/src/stats-app.js';
import { parseSuiteConfig } from './suite-config.js';
import { startApp, type AppHandle } from './supervise-app.js';

// Wiring only: settings -> locks -> three apps in one process (one Node runtime instead of three fits a 128 MB VPS).
releaseLostTerminalAtExit();
const plan = configOrExit('suite', () =>
  parseSuiteConfig(process.argv.slice(2), {
    env: withHostDefaults(process.env),
    cwd: process.cwd(),
    readFile: (p) => fs.readFileSync(p, 'utf8'),
  }),
);
const { settings, logLevel: level } = plan;
// LOG_FORMAT was checked with the rest of the settings
const format = chooseLogFormat(plan.env, tty.isatty(1));
const log = createLogger('suite', level, { format });
let trackerService: Awaited<ReturnType<typeof startTracker>> | null = null;
installCrashGuard(log, () => trackerService?.flush());
const apps: AppHandle[] = [];
// Stop signals are handled from here on: their default action ends the process on the spot, without a flush
onStopSignals(
  createShutdown({
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
  }),
);
// SIGHUP reloads; it is also what a closed terminal sends, which must never stop or freeze the suite, so the
// handler is there before anything starts (the default action of SIGHUP ends the process)
process.on('SIGHUP', () => {
  if (trackerService === null) return;
  log.info('SIGHUP: tracker reloads its access list');
  void trackerService.reload();
});
let statsPort = plan.stats.port;

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
  if (!fs.existsSync(settings.whitelistPath))
    fs.writeFileSync(settings.whitelistPath, '# info hashes served by the tracker, one per line (managed by the publisher)\n');
  // a second `npm start` on the same files stops here, naming the first one's pid
  await acquireInstanceLock(plan.tracker.stateFile, 'tracker');
  await acquireInstanceLock(plan.publisher.manifestPath, 'publisher');
  await acquireInstanceLock(plan.stats.dbPath, 'stats site');
  // the tracker first: the publisher's first SIGHUP must find it listening
  apps.push(
    await startApp('tracker', log, 'TRACKER_PORT / BIND_HOST', async () => {
      const s = await startTracker(plan.tracker, createLogger('tracker', plan.tracker.logLevel, { format }));
      trackerService = s;
      return s;
    }),
  );
  apps.push(
    await startApp('stats', log, 'STATS_PORT / BIND_HOST', async () => {
      const s = await startStats(plan.stats, createLogger('stats', plan.stats.logLevel, { format }));
      statsPort = s.port;
      return s;
    }),
  );
  apps.push(
    await startApp('publisher', log, 'PUBLISHER_ARGS', async () => {
      // the tracker is here: the publisher awaits its reload (a release is listed once it is accepted) instead of
      // signalling this process, unless it was pointed at another tracker
      const own = plan.publisher.reloadCommand === null && plan.publisher.trackerPidFile === plan.tracker.pidFile;
      return startPublisher(
        plan.publisher,
        createLogger('publisher', plan.publisher.logLevel, { format }),
        own ? { reloadTracker: async () => trackerService?.reload() } : {},
      );
    }),
  );
} catch (err) {
  await cannotStart(err);
}

const page = localHttpUrl(settings.bindHost, statsPort);
log.info(
  {
    page,
    publicPage: `${settings.statsBaseUrl}/`,
    announce: [settings.announceHttpUrl, settings.announceUdpUrl],
    releases: settings.releasesDir,
    config: plan.configFile,
  },
  `ready: open ${page} and drop files into ${settings.releasesDir}`,
);
