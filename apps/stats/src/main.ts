import { createLogger } from '../../../libs/common/src/log.js';
import { parseStatsArgs, StatsConfigError } from './config.js';
import { startStats } from './stats-app.js';

let args;
try {
  args = parseStatsArgs(process.argv.slice(2), process.env, process.cwd());
} catch (e) {
  if (!(e instanceof StatsConfigError)) throw e;
  process.stderr.write(`stats: ${e.message}\n`);
  process.exit(e.exitCode);
}
if (args.kind === 'help') {
  process.stdout.write(args.text);
  process.exit(0);
}

const log = createLogger('stats', args.config.logLevel);
try {
  const app = await startStats(args.config, log);
  const stop = (signal: string): void => {
    log.info({ signal }, 'shutting down');
    void app.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
} catch (e) {
  log.fatal({ err: (e as Error).message }, 'stats could not start');
  process.exit(1);
}
