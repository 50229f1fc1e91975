import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RetryLaterException } from './retry-later.exception';

/**
 * Last line of defence. HTTP exceptions thrown on purpose keep their status; anything else is a
 * bug: 500 with a correlation id (the request id), the full error logged, never a guessed 4xx.
 */
@Catch()
export class UnexpectedErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('UnexpectedError');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (error instanceof HttpException) {
      const body = error.getResponse();
      if (error instanceof RetryLaterException) reply.header('retry-after', String(error.retryAfterSeconds));
      reply
        .code(error.getStatus())
        .send(typeof body === 'string' ? { statusCode: error.getStatus(), message: body } : body);
      return;
    }
    if (isFastifyClientError(error)) {
      // Fastify refused the request before any handler ran (a body it cannot parse, too large,
      // of the wrong media type): the client's error, with Fastify's own code.
      reply.code(error.statusCode).send({ statusCode: error.statusCode, code: error.code, message: error.message });
      return;
    }
    this.logger.error(
      { err: error, requestId: request.id, method: request.method, route: request.routeOptions?.url },
      'unhandled error',
    );
    reply.code(500).send({ correlationId: request.id });
  }
}

function isFastifyClientError(error: unknown): error is Error & { statusCode: number; code: string } {
  if (!(error instanceof Error)) return false;
  const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
  return (
    typeof code === 'string' &&
    code.startsWith('FST_') &&
    typeof statusCode === 'number' &&
    statusCode >= 400 &&
    statusCode < 500
  );
}
