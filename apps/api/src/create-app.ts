import type { IncomingMessage } from 'node:http';
import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { REDIS } from '@wopi/redis';
import { type ApiEnv, describeEnv } from '@wopi/tenancy';
import { PrismaService } from '@wopi/db';
import { ClientCountryResolver, closeConnectionsOnceIdle, requestIdFor } from '@wopi/telemetry';
import { Logger, PinoLogger } from 'nestjs-pino';
import { ApiModule } from './api.module';
import { installRequestBodyParsers } from './request-body-parsers';
import { OpenApiDocumentProvider } from './openapi/openapi';
import { ApiErrorFilter } from './api-errors/api-error.filter';
import { JsonBodyPipe } from './api-errors/json-body.pipe';
import { validationFailure } from './api-errors/validation-error';
import { registerRateLimiting } from './rate-limit/rate-limiting';
import { refusePlainHttpWhenPublicUrlIsHttps } from './http-security/plain-http-refusal';
import { addApiSecurityHeaders } from './http-security/security-headers';
import { installRequestTelemetry } from './request-telemetry';
import { TrafficRecorder } from './traffic/traffic-recorder.service';

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
    // Body parsing is ours alone (request-body-parsers.ts): Nest's parsers would read WOPI bodies.
    bodyParser: false,
    // Throw instead of exiting: main.ts reports and exits, tests see the error.
    abortOnError: false,
  });
  const logger = app.get(Logger);
  app.useLogger(logger);
  app.useGlobalPipes(
    new JsonBodyPipe(),
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, exceptionFactory: validationFailure }),
  );
  // Every non-WOPI surface answers failures from one catalogue (docs/api-errors.md); the WOPI
  // controller has its own filter, which takes precedence on its routes.
  app.useGlobalFilters(new ApiErrorFilter());
  const fastify = app.getHttpAdapter().getInstance();
  closeConnectionsOnceIdle(fastify);
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  refusePlainHttpWhenPublicUrlIsHttps(fastify, env.PUBLIC_BASE_URL);
  addApiSecurityHeaders(fastify, env.PUBLIC_BASE_URL);
  // Before init: Nest registers the routes then, and the limiter's hooks must see them.
  await registerRateLimiting(app, app.get(REDIS));
  installRequestTelemetry(fastify, {
    country: new ClientCountryResolver({
      header: env.CLIENT_COUNTRY_HEADER,
      geoIpDatabasePath: env.GEOIP_DATABASE_PATH,
    }),
    prisma: app.get(PrismaService),
    logger: () => PinoLogger.root,
    traffic: app.get(TrafficRecorder),
  });
  // WOPI bodies stay unread streams whatever their Content-Type; the JSON APIs get parsed JSON.
  installRequestBodyParsers(app);
  app.get(OpenApiDocumentProvider).attach(app);
  logger.log({ config: describeEnv(env) }, 'configuration');
  return app;
}
