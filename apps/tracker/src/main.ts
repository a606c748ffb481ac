import fs from 'node:fs';
import { createLogger } from '../../../libs/common/src/log.js';
import { ConfigError, parseTrackerConfig } from './config.js';
import { startTracker } from './tracker-service.js';

// Wiring only: config -> tracker service -> signals.
let parsed;
try {
  parsed = parseTrackerConfig(process.argv.slice(2), { readFile: (p) => fs.readFileSync(p, 'utf8'), cwd: process.cwd(), env: process.env });
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`tracker: ${err.message}\nRun with --help for the options.\n`);
  process.exit(2);
}
if ('help' in parsed) {
  process.stdout.write(parsed.help);
  process.exit(0);
}
const config = parsed;
const log = createLogger('tracker', config.logLevel);
let service;
try {
  service = await startTracker(config, log);
} catch (err) {
  log.fatal({ err }, 'tracker could not start');
  process.exit(1);
}
const running = service;
process.on('SIGHUP', () => {
  log.info('SIGHUP: reloading the access list');
  void running.reload();
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'stopping');
    // close() logs whether the counts reached the disk; a failed flush must not look like a clean stop
    void running.close().then((flushed) => process.exit(flushed ? 0 : 1));
  });
}
process.on('uncaughtException', (err) => {
  log.fatal({ err }, 'uncaught exception: flushing state and exiting');
  running.flush();
  process.exit(1);
});
