import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimitedException } from './rate-limit/rate-limited.exception';
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
      if (error instanceof RetryLaterException || error instanceof RateLimitedException)
        reply.header('retry-after', String(error.retryAfterSeconds));
      reply
        .code(error.getStatus())
        .send(typeof body === 'string' ? { statusCode: error.getStatus(), message: body } : body);
      return;
    }
    this.logger.error(
      { err: error, requestId: request.id, method: request.method, route: request.routeOptions?.url },
      'unhandled error',
    );
    reply.code(500).send({ correlationId: request.id });
  }
}
