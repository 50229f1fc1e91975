import { ApiEnv, exitOnStartupFailure, loadEnv } from '@wopi/tenancy';
import { installGracefulShutdown, startTelemetry } from '@wopi/telemetry';

async function main(): Promise<void> {
  const env = loadEnv(ApiEnv);
  const telemetry = startTelemetry({
    serviceName: 'wopi-api',
    prometheus: { host: env.METRICS_HOST, port: env.METRICS_PORT },
  });
  // Loaded only now: the instrumentations must patch Nest, Fastify, ioredis and pino first.
  const { createApp } = await import('./create-app');
  const { Logger } = await import('nestjs-pino');
  const app = await createApp(env);
  const logger = app.get(Logger);
  installGracefulShutdown(app, { graceMs: env.SHUTDOWN_GRACE_MS, telemetry, log: (message) => logger.log(message) });
  await app.listen({ port: env.PORT, host: env.HOST });
  logger.log(`wopi-api listening on http://${env.HOST}:${env.PORT} (public URL ${env.PUBLIC_BASE_URL})`);
}

main().catch(exitOnStartupFailure);
