import { NestFactory } from '@nestjs/core';
import { type INestApplicationContext } from '@nestjs/common';
import { describeEnv, type WorkerEnv } from '@wopi/tenancy';
import { Logger } from 'nestjs-pino';
import { WorkerModule } from './worker.module';

/** Builds the worker (no HTTP); main.ts runs it, tests build it the same way. */
export async function createWorker(env: WorkerEnv): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(env), { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  logger.log({ config: describeEnv(env) }, 'configuration');
  return app;
}
