import os from 'node:os';
import { configOrExit } from '../../../libs/common/src/config/config-or-exit.js';
import { acquireInstanceLock, InstanceLockError } from '../../../libs/common/src/instance-lock.js';
import { createLogger } from '../../../libs/common/src/log.js';
import { createShutdown, installCrashGuard, keepRunningOnHangup, onStopSignals } from '../../../libs/common/src/process-guard.js';
import { releaseLostTerminalAtExit } from '../../../libs/common/src/lost-terminal.js';
import { STARTUP_EXIT_CODE, StartupError } from '../../../libs/common/src/startup-error.js';
import { withHostDefaults } from '../../../libs/common/src/suite-env.js';
import { parsePublisherConfig } from './config.js';
import { startPublisher, type PublisherHandle } from './publisher.js';

releaseLostTerminalAtExit();
const config = configOrExit('publisher', () =>
  parsePublisherConfig(process.argv.slice(2), { env: withHostDefaults(process.env), cwd: process.cwd(), cpus: os.availableParallelism() }),
);
const log = createLogger('publisher', config.logLevel);
installCrashGuard(log);
keepRunningOnHangup(log);
let publisher: PublisherHandle | null = null;
// before anything starts: the default action of SIGTERM/SIGINT ends the process on the spot
onStopSignals(createShutdown({ log, close: async () => publisher?.close() }));
let running: PublisherHandle;
try {
  // one publisher per manifest: two would race over the same torrents, manifest and whitelist
  if (!config.dryRun) await acquireInstanceLock(config.manifestPath, 'publisher');
  running = await startPublisher(config, log);
} catch (err) {
  if (err instanceof InstanceLockError || err instanceof StartupError) {
    log.fatal(`publisher cannot start: ${err.message}`);
    process.stderr.write(`publisher: ${err.message}\n`);
    process.exit(STARTUP_EXIT_CODE);
  }
  log.fatal({ error: err instanceof Error ? err.message : String(err) }, 'publisher could not start');
  process.exit(1);
}
publisher = running;
if (config.once) {
  await running.idle();
  await running.close();
  process.exitCode = running.failures() > 0 ? 1 : 0;
} else {
  log.info({ releases: config.releasesDir }, `ready: drop files into ${config.releasesDir}`);
}
