import { exitOnStartupFailure, loadEnv, WorkerEnv } from '@wopi/tenancy';
import { installGracefulShutdown, startTelemetry } from '@wopi/telemetry';

async function main(): Promise<void> {
  const env = loadEnv(WorkerEnv);
  const telemetry = startTelemetry({
    serviceName: 'wopi-worker',
    prometheus: { host: env.METRICS_HOST, port: env.METRICS_PORT },
  });
  // Loaded only now: the instrumentations must patch Nest, ioredis and pino first.
  const { createWorker } = await import('./create-worker');
  const { Logger } = await import('nestjs-pino');
  // Handlers first: processors start taking jobs while the context is still being built, and
  // close() waits for the jobs in progress (BullMQ Worker.close), then the connections close.
  const starting = createWorker(env);
  installGracefulShutdown(starting, { graceMs: env.SHUTDOWN_GRACE_MS, telemetry });
  const app = await starting;
  app.get(Logger).log('wopi-worker processing jobs');
}

main().catch(exitOnStartupFailure);
