import type { IncomingMessage } from 'node:http';
import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type ApiEnv, describeEnv } from '@wopi/tenancy';
import { PrismaService } from '@wopi/db';
import { ClientCountryResolver, closeConnectionsOnceIdle, requestIdFor } from '@wopi/telemetry';
import { Logger, PinoLogger } from 'nestjs-pino';
import { ApiModule } from './api.module';
import { installRequestTelemetry } from './request-telemetry';
import { TrafficRecorder } from './traffic/traffic-recorder.service';
import { UnexpectedErrorFilter } from './unexpected-error.filter';

/** Builds the api application; main.ts listens on it, end-to-end tests inject requests into it. */
export async function createApp(env: ApiEnv): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    trustProxy: env.TRUST_PROXY,
    // The id is also put on the raw request so the pino request logger uses the same one.
    genReqId: (req: IncomingMessage) => (req.id = requestIdFor(req)),
    // Idle keep-alive connections are closed at shutdown; in-flight requests finish first.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(env), adapter, {
    bufferLogs: true,
    // Throw instead of exiting: main.ts reports and exits, tests see the error.
    abortOnError: false,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }));
  app.useGlobalFilters(new UnexpectedErrorFilter());
  const fastify = app.getHttpAdapter().getInstance();
  closeConnectionsOnceIdle(fastify);
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  installRequestTelemetry(fastify, {
    country: new ClientCountryResolver({
      header: env.CLIENT_COUNTRY_HEADER,
      geoIpDatabasePath: env.GEOIP_DATABASE_PATH,
    }),
    prisma: app.get(PrismaService),
    logger: () => PinoLogger.root,
    traffic: app.get(TrafficRecorder),
  });
  // File bodies (PutFile, PutRelativeFile) stay streams: any type without its own parser (JSON
  // has one) is handed over unread, and the WOPI service streams it to staging with a size cap.
  fastify.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
  logger.log({ config: describeEnv(env) }, 'configuration');
  return app;
}
