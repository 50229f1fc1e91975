import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiEnv } from '@wopi/tenancy';
import { baseLoggerOptions, redactUrl, requestIdFor } from '@wopi/telemetry';
import type { Params } from 'nestjs-pino';

const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * nestjs-pino settings of the api. No per-request middleware (forRoutes: none): the one line per
 * request is written by the onResponse hook in request-telemetry.ts, which costs a fraction of
 * pino-http's per-request child logger and serializers. These options still shape the root logger.
 */
export function apiLoggerOptions(env: ApiEnv): Params {
  return {
    forRoutes: [],
    pinoHttp: {
      ...baseLoggerOptions(env.LOG_LEVEL, 'wopi-api'),
      // Fastify assigned the id (see create-app.ts); reuse it so the log and the reply agree.
      genReqId: (req: IncomingMessage) => req.id ?? requestIdFor(req),
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/readyz' },
      customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      serializers: {
        req: (req: IncomingMessage & { raw?: IncomingMessage }) => {
          const raw = req.raw ?? req;
          return {
            id: req.id,
            method: req.method,
            url: redactUrl(req.url),
            wopiOverride: header(raw, 'x-wopi-override'),
            wopiCorrelationId: header(raw, 'x-wopi-correlationid'),
            wopiSessionId: header(raw, 'x-wopi-sessionid'),
            userAgent: header(raw, 'user-agent'),
          };
        },
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
  };
}
