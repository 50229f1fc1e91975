import { NestFactory } from '@nestjs/core';
import { type INestApplicationContext } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { describeEnv, type WorkerEnv } from '@wopi/tenancy';
import { Logger } from 'nestjs-pino';
import { WorkerModule } from './worker.module';

/**
 * Builds the worker; main.ts runs it, tests build it the same way. Without WORKER_HEALTH_PORT it
 * is an application context (no HTTP); with it, the same modules plus a health listener that is
 * already listening when this resolves and closes last on shutdown, after the jobs in flight.
 */
export async function createWorker(env: WorkerEnv): Promise<INestApplicationContext> {
  if (env.WORKER_HEALTH_PORT === undefined) {
    const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(env), { bufferLogs: true });
    logConfiguration(app, env);
    return app;
  }
  // Probes do not hold connections open; closing them at once keeps shutdown from waiting on one.
  const adapter = new FastifyAdapter({ forceCloseConnections: true });
  const app = await NestFactory.create<NestFastifyApplication>(WorkerModule.forRoot(env), adapter, {
    bufferLogs: true,
    abortOnError: false,
  });
  logConfiguration(app, env);
  await app.listen(env.WORKER_HEALTH_PORT, env.WORKER_HEALTH_HOST);
  return app;
}

function logConfiguration(app: INestApplicationContext, env: WorkerEnv): void {
  const logger = app.get(Logger);
  app.useLogger(logger);
  logger.log({ config: describeEnv(env) }, 'configuration');
}
