import { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { DemoCoreError, DemoCoreErrorCode } from '../demo-core.error';
import { ErrorResponse, toErrorResponse } from './error-response';

/** Every error leaves demo-core as `{ error: { code, message, details? } }` with the status from toErrorResponse. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    send(reply, toErrorResponse(DemoCoreError.routeNotFound(request.method, request.url)));
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = toDemoCoreError(error);
    if (known.code === DemoCoreErrorCode.InternalError) {
      request.log.error({ err: error }, 'request failed');
    } else {
      request.log.info({ code: known.code }, known.message);
    }
    send(reply, toErrorResponse(known));
  });
}

function toDemoCoreError(error: FastifyError): DemoCoreError {
  if (error instanceof DemoCoreError) return error;
  if (error.validation) return DemoCoreError.badRequest(error.message);
  // A buffered (JSON) body over its limit; streamed uploads report their own limit.
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return DemoCoreError.payloadTooLarge();
  // Fastify's own client errors (malformed URL, Content-Type or Content-Length) are the
  // request's fault; anything else that gets here is a bug and stays a 500.
  if (error.code?.startsWith('FST_') && error.statusCode !== undefined && error.statusCode < 500) {
    return DemoCoreError.badRequest(error.message);
  }
  return DemoCoreError.internal();
}

function send(reply: FastifyReply, response: ErrorResponse): void {
  // Headers set for a success (ETag, Content-Length of a stream) must not leak into an error.
  reply.removeHeader('etag');
  reply.removeHeader('content-length');
  void reply.code(response.status).headers(response.headers).send(response.body);
}
