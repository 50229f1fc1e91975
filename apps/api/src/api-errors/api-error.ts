/**
 * Every way a request to a non-WOPI surface (session, renewal, revocation, conversion, admin,
 * support) can fail; toApiErrorResponse() maps each to a status and a coded JSON body
 * (docs/api-errors.md).
 */
export enum ApiErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  MalformedRequest = 'MALFORMED_REQUEST',
  Unauthenticated = 'UNAUTHENTICATED',
  ScopeMissing = 'SCOPE_MISSING',
  PermissionDenied = 'PERMISSION_DENIED',
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  SessionEnded = 'SESSION_ENDED',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  UnsupportedConversion = 'UNSUPPORTED_CONVERSION',
  RateLimited = 'RATE_LIMITED',
  CoreAppBadResponse = 'CORE_APP_BAD_RESPONSE',
  CoreAppUnavailable = 'CORE_APP_UNAVAILABLE',
  ServiceUnavailable = 'SERVICE_UNAVAILABLE',
  Internal = 'INTERNAL',
}

/** What each code carries besides its message; `code` discriminates. */
export type ApiErrorDetail =
  | { code: ApiErrorCode.ValidationFailed; field: string }
  | { code: ApiErrorCode.MalformedRequest }
  | { code: ApiErrorCode.Unauthenticated }
  | { code: ApiErrorCode.ScopeMissing; scope: string }
  | { code: ApiErrorCode.PermissionDenied }
  | { code: ApiErrorCode.NotFound }
  | { code: ApiErrorCode.Conflict; details?: Record<string, unknown> }
  | { code: ApiErrorCode.SessionEnded }
  | { code: ApiErrorCode.PayloadTooLarge }
  | { code: ApiErrorCode.UnsupportedMediaType }
  | { code: ApiErrorCode.UnsupportedConversion }
  | { code: ApiErrorCode.RateLimited; retryAfterSeconds: number }
  | { code: ApiErrorCode.CoreAppBadResponse }
  | { code: ApiErrorCode.CoreAppUnavailable; retryAfterSeconds: number }
  | { code: ApiErrorCode.ServiceUnavailable; retryAfterSeconds: number }
  | { code: ApiErrorCode.Internal; correlationId: string };

/**
 * A failure of a non-WOPI request, free of HTTP: services throw it, ApiErrorFilter turns it into
 * a response with toApiErrorResponse(). The message is shown to the caller: it never carries a
 * secret. Build it with the static factories.
 */
export class ApiError extends Error {
  private constructor(
    readonly detail: ApiErrorDetail,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ApiError';
  }

  get code(): ApiErrorCode {
    return this.detail.code;
  }

  /** One field of the body, query or path is invalid; `field` is its dotted path (`coreApp.baseUrl`). */
  static validationFailed(field: string, message: string): ApiError {
    return new ApiError({ code: ApiErrorCode.ValidationFailed, field }, message);
  }

  /** The request cannot be read at all: unparsable JSON, a body where none belongs. */
  static malformedRequest(message: string): ApiError {
    return new ApiError({ code: ApiErrorCode.MalformedRequest }, message);
  }

  /** No credential, or one that is unknown, revoked or expired (401 with WWW-Authenticate). */
  static unauthenticated(message: string): ApiError {
    return new ApiError({ code: ApiErrorCode.Unauthenticated }, message);
  }

  /** A valid admin key without the scope this route needs. */
  static scopeMissing(scope: string): ApiError {
    return new ApiError(
      { code: ApiErrorCode.ScopeMissing, scope },
      `This request needs an admin key with the "${scope}" scope`,
    );
  }

  /** The user (per the core app) may not do this to the file. */
  static permissionDenied(message: string): ApiError {
    return new ApiError({ code: ApiErrorCode.PermissionDenied }, message);
  }

  /**
   * No such resource for this caller. Also the answer when it exists but belongs to a tenant the
   * caller's key is not for: a key of tenant A learns nothing about tenant B.
   */
  static notFound(message: string): ApiError {
    return new ApiError({ code: ApiErrorCode.NotFound }, message);
  }

  /** The resource's state forbids the request (a slug taken, a tenant not suspended, a lock that changed). */
  static conflict(message: string, details?: Record<string, unknown>): ApiError {
    return new ApiError({ code: ApiErrorCode.Conflict, details }, message);
  }

  /** The session to renew is over: expired, revoked, or never existed. */
  static sessionEnded(reason: string): ApiError {
    return new ApiError({ code: ApiErrorCode.SessionEnded }, `The session has ended (${reason}); open a new one`);
  }

  static payloadTooLarge(message: string): ApiError {
    return new ApiError({ code: ApiErrorCode.PayloadTooLarge }, message);
  }

  static unsupportedMediaType(message: string): ApiError {
    return new ApiError({ code: ApiErrorCode.UnsupportedMediaType }, message);
  }

  /** The conversion asked for is not one the worker can do (source type to target format). */
  static unsupportedConversion(message: string): ApiError {
    return new ApiError({ code: ApiErrorCode.UnsupportedConversion }, message);
  }

  /** Too many requests from one key or tenant (`scope`); retry after the given seconds. */
  static rateLimited(retryAfterSeconds: number, scope: 'api key' | 'tenant' = 'api key'): ApiError {
    const seconds = wholeSeconds(retryAfterSeconds);
    return new ApiError(
      { code: ApiErrorCode.RateLimited, retryAfterSeconds: seconds },
      `Request limit of this ${scope} reached; retry in ${seconds} s`,
    );
  }

  /** The core app answered outside its contract. */
  static coreAppBadResponse(cause?: unknown): ApiError {
    return new ApiError({ code: ApiErrorCode.CoreAppBadResponse }, 'The core app answered outside its contract', {
      cause,
    });
  }

  /** The tenant's core app is not answering (open breaker, timeout, 5xx). */
  static coreAppUnavailable(retryAfterSeconds: number, cause?: unknown): ApiError {
    return new ApiError(
      { code: ApiErrorCode.CoreAppUnavailable, retryAfterSeconds: wholeSeconds(retryAfterSeconds) },
      'The core app is not answering',
      { cause },
    );
  }

  /** A dependency of the gateway itself (Redis, the lock store) is down for now. */
  static serviceUnavailable(message: string, retryAfterSeconds = 1, cause?: unknown): ApiError {
    return new ApiError(
      { code: ApiErrorCode.ServiceUnavailable, retryAfterSeconds: wholeSeconds(retryAfterSeconds) },
      message,
      { cause },
    );
  }

  /** A bug: 500; the correlation id links the caller's report to our logs. */
  static internal(correlationId: string, cause?: unknown): ApiError {
    return new ApiError({ code: ApiErrorCode.Internal, correlationId }, `Internal error (${correlationId})`, {
      cause,
    });
  }
}

// Retry-After takes whole seconds; at least 1, so that clients never retry in a tight loop.
function wholeSeconds(seconds: number): number {
  return Number.isFinite(seconds) ? Math.max(1, Math.ceil(seconds)) : 1;
}
