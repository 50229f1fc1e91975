import pino from 'pino';
import { DemoEditorEnvError, loadDemoEditorConfig } from './config/demo-editor.env';
import { createDemoEditor } from './create-demo-editor';

const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  const config = loadDemoEditorConfig();
  const app = await createDemoEditor(config);
  let closing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (closing) process.exit(1);
    closing = true;
    app.log.info({ signal }, 'shutting down: closing editors (their locks are released)');
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  await app.listen({ host: config.host, port: config.port });
  app.log.info({ config: { ...config } }, 'demo-editor configuration');
}

main().catch((error: unknown) => {
  const logger = pino({ base: { service: 'demo-editor' } });
  if (error instanceof DemoEditorEnvError) logger.fatal({ problems: error.problems }, 'invalid environment');
  else logger.fatal({ err: error }, 'demo-editor failed to start');
  process.exit(1);
});
