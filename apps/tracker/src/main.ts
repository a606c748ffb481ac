import fs from 'node:fs';
import { configOrExit } from '../../../libs/common/src/config/config-or-exit.js';
import { acquireInstanceLock, InstanceLockError } from '../../../libs/common/src/instance-lock.js';
import { localHttpUrl } from '../../../libs/common/src/local-url.js';
import { createLogger } from '../../../libs/common/src/log.js';
import { createShutdown, installCrashGuard, onStopSignals } from '../../../libs/common/src/process-guard.js';
import { releaseLostTerminalAtExit } from '../../../libs/common/src/lost-terminal.js';
import { explainListenError, STARTUP_EXIT_CODE, StartupError } from '../../../libs/common/src/startup-error.js';
import { withHostDefaults } from '../../../libs/common/src/suite-env.js';
import { parseTrackerConfig } from './config.js';
import { optimizeWhenBusy } from './startup-tiering.js';
import { startTracker, type TrackerService } from './tracker-service.js';

// Wiring only: config -> lock -> tracker service -> signals.
releaseLostTerminalAtExit();
const config = configOrExit('tracker', () =>
  parseTrackerConfig(process.argv.slice(2), {
    readFile: (p) => fs.readFileSync(p, 'utf8'),
    cwd: process.cwd(),
    env: withHostDefaults(process.env),
  }),
);
const log = createLogger('tracker', config.logLevel);
let service: TrackerService | null = null;
installCrashGuard(log, () => service?.flush());
// Signal handlers come before anything starts: the default action of SIGTERM, SIGINT and SIGHUP (which a
// closed terminal sends) ends the process on the spot, without a flush.
onStopSignals(createShutdown({ log, close: async () => service?.close(), flushSync: () => service?.flush() }));
// opentracker's SIGHUP: reload the access list (during the start it is being read anyway)
process.on('SIGHUP', () => {
  if (service === null) return;
  log.info('SIGHUP: reloading the access list');
  void service.reload();
});

function startFailed(err: unknown): never {
  if (err instanceof StartupError || err instanceof InstanceLockError) {
    log.fatal(`tracker cannot start: ${err.message}`);
    process.stderr.write(`tracker: ${err.message}\n`);
    process.exit(STARTUP_EXIT_CODE);
  }
  log.fatal({ err }, 'tracker could not start');
  process.exit(1);
}

let running: TrackerService;
try {
  // one tracker per state file: a second one would overwrite the first one's counts
  await acquireInstanceLock(config.stateFile, 'tracker');
  running = await startTracker(config, log);
} catch (err) {
  startFailed(explainListenError(err, 'tracker', '-p / -P / -i (or listen.* lines)'));
}
service = running;
const tcp = running.addresses.find((a) => a.proto === 'tcp');
const udp = running.addresses.find((a) => a.proto === 'udp');
const announce = [
  tcp && localHttpUrl(tcp.address, tcp.port, '/announce'),
  udp && localHttpUrl(udp.address, udp.port, '/announce').replace(/^http:/, 'udp:'),
].filter((u) => u !== undefined);
log.info({ announce, stats: tcp && localHttpUrl(tcp.address, tcp.port, `/${config.statsPath}`) }, `ready: announce ${announce.join(' ')}`);
optimizeWhenBusy(running.tracker.counters);
