import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ConversionError, ConversionErrorCode } from '@wopi/conversion';
import { CoreAppError, CoreAppErrorKind } from '@wopi/core-app-client';
import { LockStoreUnavailableError } from '@wopi/lock-store';
import { InvalidationNotConfirmedError } from '@wopi/redis';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './api-error';
import { toApiErrorResponse } from './to-api-error-response';

/**
 * The one filter of every non-WOPI surface: ApiErrors through toApiErrorResponse(); the errors of
 * libs (core-app client, lock store, conversion) and of the framework (no route, unreadable body)
 * first become the ApiError they mean. Anything else is a bug: 500 with the request id as
 * correlation id and the full error logged, never a guessed 4xx.
 */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiError');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest & { tenant?: { id: string } }>();
    const reply = http.getResponse<FastifyReply>();
    const apiError = toApiError(error, String(request.id));
    const { status, headers, body } = toApiErrorResponse(apiError);
    if (status >= 500) {
      this.logger.error(
        {
          err: error,
          requestId: request.id,
          tenantId: request.tenant?.id,
          method: request.method,
          route: request.routeOptions?.url,
        },
        apiError.message,
      );
    }
    reply.code(status).headers(headers).send(body);
  }
}

/** What a thrown value means to a caller of the gateway's JSON APIs. */
export function toApiError(error: unknown, correlationId: string): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof CoreAppError) return fromCoreAppError(error);
  if (error instanceof LockStoreUnavailableError)
    return ApiError.serviceUnavailable('The lock store is unavailable', 1, error);
  // The change (a revocation, a suspension) is stored; whether every process dropped its copy is
  // not known, so the caller must not take it as done: the same call again is safe.
  if (error instanceof InvalidationNotConfirmedError)
    return ApiError.serviceUnavailable(
      'The change is stored but not yet confirmed by every gateway process; retry',
      1,
      error,
    );
  if (error instanceof ConversionError) {
    if (error.code === ConversionErrorCode.UnsupportedConversion) return ApiError.unsupportedConversion(error.detail);
    if (error.code === ConversionErrorCode.TooLarge) return ApiError.payloadTooLarge(error.detail);
  }
  if (error instanceof HttpException) return fromFrameworkException(error, correlationId);
  const fastifyStatus = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof fastifyStatus === 'number') return fromFrameworkStatus(fastifyStatus, error as Error, correlationId);
  return ApiError.internal(correlationId, error);
}

function fromCoreAppError(error: CoreAppError): ApiError {
  switch (error.kind) {
    case CoreAppErrorKind.NotFound:
      return ApiError.notFound('The core app has no such file');
    case CoreAppErrorKind.Forbidden:
      return ApiError.permissionDenied('The core app denies this user access to the file');
    case CoreAppErrorKind.Unavailable:
    case CoreAppErrorKind.CircuitOpen:
      return ApiError.coreAppUnavailable(error.retryAfterSeconds ?? 1, error);
    case CoreAppErrorKind.NameConflict:
    case CoreAppErrorKind.VersionMismatch:
    case CoreAppErrorKind.Rejected:
    case CoreAppErrorKind.TooLarge:
    case CoreAppErrorKind.BadResponse:
      // A metadata read cannot meet these answers from a core app that keeps the contract.
      return ApiError.coreAppBadResponse(error);
  }
}

/** Nest's own exceptions (no such route, a body Fastify could not parse). */
function fromFrameworkException(error: HttpException, correlationId: string): ApiError {
  const response = error.getResponse();
  const message =
    typeof response === 'object' && response !== null && typeof (response as { message?: unknown }).message === 'string'
      ? (response as { message: string }).message
      : error.message;
  return fromFrameworkStatus(error.getStatus(), new Error(message), correlationId);
}

function fromFrameworkStatus(status: number, error: Error, correlationId: string): ApiError {
  switch (status) {
    case 400:
      return ApiError.malformedRequest(error.message);
    case 404:
      return ApiError.notFound(error.message);
    case 413:
      return ApiError.payloadTooLarge(error.message);
    case 415:
      return ApiError.unsupportedMediaType(error.message);
    default:
      return ApiError.internal(correlationId, error);
  }
}
