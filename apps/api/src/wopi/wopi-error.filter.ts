import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import { CoreAppError, CoreAppErrorKind } from '@wopi/core-app-client';
import { LockStoreUnavailableError } from '@wopi/lock-store';
import { toWopiResponse, WopiError } from '@wopi/wopi';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Turns every failure of a WOPI route into a WOPI answer: WopiErrors through toWopiResponse(),
 * outages of Redis or the core app into 503 with Retry-After (fail closed), anything else into
 * 500 with X-WOPI-ServerError and the correlation id.
 */
@Catch()
export class WopiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Wopi');

  catch(error: unknown, host: ArgumentsHost): void {
    const request = host
      .switchToHttp()
      .getRequest<FastifyRequest & { wopi?: { tenant: { id: string }; fileId: string } }>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const wopiError = this.toWopiError(error, request);
    const { status, headers, body } = toWopiResponse(wopiError);
    if (status >= 500) {
      this.logger.error(
        { err: error, requestId: request.id, tenantId: request.wopi?.tenant.id, fileId: request.wopi?.fileId },
        wopiError.message,
      );
    }
    reply
      .code(status)
      .headers(headers)
      .send(body ?? '');
  }

  private toWopiError(error: unknown, request: FastifyRequest): WopiError {
    if (error instanceof WopiError) return error;
    if (error instanceof LockStoreUnavailableError) return WopiError.coreAppUnavailable(1, error);
    if (error instanceof CoreAppError) {
      switch (error.kind) {
        case CoreAppErrorKind.NotFound:
        case CoreAppErrorKind.Forbidden:
          // WOPI answers "no such file" and "not yours" alike (404).
          return WopiError.fileNotFound(error.message);
        case CoreAppErrorKind.Unavailable:
        case CoreAppErrorKind.CircuitOpen:
          return WopiError.coreAppUnavailable(error.retryAfterSeconds ?? 1, error);
        case CoreAppErrorKind.TooLarge:
          return WopiError.fileTooLarge();
        default:
          return WopiError.internal(String(request.id), error);
      }
    }
    return WopiError.internal(String(request.id), error);
  }
}
