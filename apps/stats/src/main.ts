import { configOrExit } from '../../../libs/common/src/config/config-or-exit.js';
import { acquireInstanceLock, InstanceLockError } from '../../../libs/common/src/instance-lock.js';
import { localHttpUrl } from '../../../libs/common/src/local-url.js';
import { createLogger } from '../../../libs/common/src/log.js';
import { createShutdown, installCrashGuard, keepRunningOnHangup, onStopSignals } from '../../../libs/common/src/process-guard.js';
import { releaseLostTerminalAtExit } from '../../../libs/common/src/lost-terminal.js';
import { explainListenError, STARTUP_EXIT_CODE, StartupError } from '../../../libs/common/src/startup-error.js';
import { withHostDefaults } from '../../../libs/common/src/suite-env.js';
import { parseStatsConfig } from './config.js';
import { startStats, type StatsHandle } from './stats-app.js';

releaseLostTerminalAtExit();
const config = configOrExit('stats', () =>
  parseStatsConfig(process.argv.slice(2), { env: withHostDefaults(process.env), cwd: process.cwd() }),
);
const log = createLogger('stats', config.logLevel);
installCrashGuard(log);
keepRunningOnHangup(log);
let app: StatsHandle | null = null;
// before anything starts: the default action of SIGTERM/SIGINT ends the process on the spot
onStopSignals(createShutdown({ log, close: async () => app?.close() }));
try {
  // one poller per database: two would each add the same increases and double every count
  await acquireInstanceLock(config.dbPath, 'stats site');
  const started = await startStats(config, log).catch((e: unknown) => {
    throw explainListenError(
      (e as { cause?: unknown }).cause ?? e,
      `cannot listen on ${config.host}:${config.port}`,
      '--port / STATS_PORT',
    );
  });
  app = started;
  log.info(
    { url: localHttpUrl(config.host, started.port), public: config.baseUrl },
    `ready: open ${localHttpUrl(config.host, started.port)}`,
  );
} catch (e) {
  if (e instanceof InstanceLockError || e instanceof StartupError) {
    log.fatal(`stats cannot start: ${e.message}`);
    process.stderr.write(`stats: ${e.message}\n`);
    process.exit(STARTUP_EXIT_CODE);
  }
  log.fatal({ err: (e as Error).message }, 'stats could not start');
  process.exit(1);
}
