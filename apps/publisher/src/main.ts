import { createLogger } from '../../../libs/common/src/log.js';
import { ConfigError, parsePublisherArgs } from './config.js';
import { startPublisher } from './publisher.js';

let parsed;
try {
  parsed = parsePublisherArgs(process.argv.slice(2), process.env, process.cwd());
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`publisher: ${err.message}\n`);
  process.exit(2);
}
if (parsed.kind === 'help') {
  process.stdout.write(parsed.text);
  process.exit(0);
}
const config = parsed.config;
const log = createLogger('publisher', config.logLevel);
const publisher = await startPublisher(config, log).catch((err: unknown) => {
  log.fatal({ error: err instanceof Error ? err.message : String(err) }, 'publisher could not start');
  process.exit(1);
});
if (config.once) {
  await publisher.idle();
  await publisher.close();
  process.exitCode = publisher.failures() > 0 ? 1 : 0;
} else {
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      log.info({ signal: sig }, 'stopping');
      void publisher.close().then(() => process.exit(0));
    });
  }
}
