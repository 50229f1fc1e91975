import { FastifyInstance } from 'fastify';
import pino from 'pino';
import { DemoCoreEnvError, loadDemoCoreConfig } from './config/demo-core.env';
import { createDemoCore } from './create-demo-core';

// Long enough for a normal save to finish; a stuck upload must not keep a deploy waiting.
const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  const { config, loggable } = loadDemoCoreConfig();
  const app = await createDemoCore(config);
  closeOnSignals(app);
  app.log.info({ config: loggable }, 'demo-core configuration');
  await app.listen({ host: config.host, port: config.port });
}

function closeOnSignals(app: FastifyInstance): void {
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) {
      app.log.warn({ signal }, 'second signal during shutdown, exiting now');
      process.exit(1);
    }
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    const deadline = setTimeout(() => {
      app.log.error({ graceMs: SHUTDOWN_GRACE_MS }, 'in-flight requests did not finish in time');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    deadline.unref();
    // close() stops accepting connections and resolves once in-flight requests are answered.
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  // Before the app exists there is no app logger; keep the output JSON lines all the same.
  const logger = pino({ base: { service: 'demo-core' } });
  if (error instanceof DemoCoreEnvError) {
    logger.fatal({ problems: error.problems }, 'invalid environment');
  } else {
    logger.fatal({ err: error }, 'demo-core failed to start');
  }
  process.exit(1);
});
