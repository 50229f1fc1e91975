import { type ApiError, ApiErrorCode } from './api-error';

/** The JSON body of every failed non-WOPI request. */
export interface ApiErrorBody {
  error: {
    code: ApiErrorCode;
    message: string;
    /** VALIDATION_FAILED: the dotted path of the offending field. */
    field?: string;
    /** SCOPE_MISSING: the scope the route needs. */
    scope?: string;
    /** INTERNAL: quote it when reporting the failure. */
    correlationId?: string;
    /** CONFLICT: what the caller needs to try again (e.g. the current lock). */
    details?: Record<string, unknown>;
  };
}

export interface ApiErrorResponse {
  status: number;
  /** Lowercase names. */
  headers: Record<string, string>;
  body: ApiErrorBody;
}

/** Maps an ApiError to its HTTP response, as tabled in docs/api-errors.md. */
export function toApiErrorResponse(error: ApiError): ApiErrorResponse {
  const detail = error.detail;
  const body = (extra: Partial<ApiErrorBody['error']> = {}): ApiErrorBody => ({
    error: { code: detail.code, message: error.message, ...extra },
  });
  switch (detail.code) {
    case ApiErrorCode.ValidationFailed:
      return { status: 400, headers: {}, body: body({ field: detail.field }) };
    case ApiErrorCode.MalformedRequest:
      return { status: 400, headers: {}, body: body() };
    case ApiErrorCode.Unauthenticated:
      // RFC 6750 section 3: a 401 names the scheme the client should use.
      return { status: 401, headers: { 'www-authenticate': 'Bearer' }, body: body() };
    case ApiErrorCode.ScopeMissing:
      return { status: 403, headers: {}, body: body({ scope: detail.scope }) };
    case ApiErrorCode.PermissionDenied:
      return { status: 403, headers: {}, body: body() };
    case ApiErrorCode.NotFound:
      return { status: 404, headers: {}, body: body() };
    case ApiErrorCode.Conflict:
      return { status: 409, headers: {}, body: body(detail.details ? { details: detail.details } : {}) };
    case ApiErrorCode.SessionEnded:
      return { status: 410, headers: {}, body: body() };
    case ApiErrorCode.PayloadTooLarge:
      return { status: 413, headers: {}, body: body() };
    case ApiErrorCode.UnsupportedMediaType:
      return { status: 415, headers: {}, body: body() };
    case ApiErrorCode.UnsupportedConversion:
      return { status: 422, headers: {}, body: body() };
    case ApiErrorCode.RateLimited:
      return { status: 429, headers: { 'retry-after': String(detail.retryAfterSeconds) }, body: body() };
    case ApiErrorCode.CoreAppBadResponse:
      return { status: 502, headers: {}, body: body() };
    case ApiErrorCode.CoreAppUnavailable:
    case ApiErrorCode.ServiceUnavailable:
      return { status: 503, headers: { 'retry-after': String(detail.retryAfterSeconds) }, body: body() };
    case ApiErrorCode.Internal:
      return { status: 500, headers: {}, body: body({ correlationId: detail.correlationId }) };
    default:
      return assertNever(detail);
  }
}

function assertNever(detail: never): never {
  throw new Error(`unmapped API error ${JSON.stringify(detail)}`);
}
