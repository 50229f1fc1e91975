import { DemoCoreError, DemoCoreErrorCode, DemoCoreErrorDetails } from '../demo-core.error';
import { CoreHeader } from './core-header';
import { formatEntityTag } from './entity-tag';

/** The contract's error body: `{ error: { code, message, details? } }`. */
export interface ErrorBody {
  readonly error: {
    readonly code: DemoCoreErrorCode;
    readonly message: string;
    readonly details?: DemoCoreErrorDetails;
  };
}

export interface ErrorResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: ErrorBody;
}

/** The one place that turns a DemoCoreError into status, headers and the shared error body. */
export function toErrorResponse(error: DemoCoreError): ErrorResponse {
  const hasDetails = Object.keys(error.details).length > 0;
  const body: ErrorBody = {
    error: { code: error.code, message: error.message, ...(hasDetails ? { details: error.details } : {}) },
  };
  switch (error.code) {
    case DemoCoreErrorCode.Unauthorized:
      // RFC 9110 11.6.1: a 401 names the scheme the client has to use.
      return {
        status: 401,
        headers: { [CoreHeader.WwwAuthenticate]: 'GatewaySignature realm="demo-core", version="v1"' },
        body,
      };
    case DemoCoreErrorCode.Forbidden:
      return { status: 403, headers: {}, body };
    case DemoCoreErrorCode.NotFound:
      return { status: 404, headers: {}, body };
    case DemoCoreErrorCode.BadRequest:
    case DemoCoreErrorCode.InvalidName:
    case DemoCoreErrorCode.DigestMismatch:
      return { status: 400, headers: {}, body };
    case DemoCoreErrorCode.NameConflict:
      return { status: 409, headers: {}, body };
    case DemoCoreErrorCode.VersionMismatch:
      return {
        status: 412,
        headers:
          error.details.currentVersion === undefined
            ? {}
            : {
                [CoreHeader.ETag]: formatEntityTag(error.details.currentVersion),
                [CoreHeader.Version]: error.details.currentVersion,
              },
        body,
      };
    case DemoCoreErrorCode.PayloadTooLarge:
      // Close the connection rather than read (and discard) the rest of an oversized upload.
      return { status: 413, headers: { [CoreHeader.Connection]: 'close' }, body };
    case DemoCoreErrorCode.IdempotencyKeyReused:
      // 422 as in draft-ietf-httpapi-idempotency-key-header: same key, different request.
      return { status: 422, headers: {}, body };
    case DemoCoreErrorCode.InjectedFault:
      return { status: error.details.status ?? 500, headers: {}, body };
    case DemoCoreErrorCode.InternalError:
      return { status: 500, headers: {}, body };
    default:
      return assertNever(error.code);
  }
}

function assertNever(value: never): never {
  throw new Error(`unmapped error code ${String(value)}`);
}
