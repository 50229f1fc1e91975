import { assertNever } from './assert-never';
import { encodeUtf7 } from './utf7';
import { WopiErrorCode, type WopiError } from './wopi-error';
import { WopiHeader } from './wopi-header';
import { toLockHeaderValue } from './wopi-lock';

/** A WOPI error as HTTP: status, headers (lowercase names) and, for some codes, a JSON body. */
export interface WopiErrorResponse {
  status: number;
  headers: Record<string, string>;
  /** Serialized JSON; `headers` then carries its Content-Type. */
  body?: string;
}

/** Collabora's "document changed in storage" status code (Collabora advanced_integration.md). */
export const COLLABORA_DOCUMENT_CHANGED_STATUS_CODE = 1010;

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
// Informational header values (reasons, ids) are cut here: they are for logs, not for megabyte headers.
const MAX_INFORMATIONAL_HEADER_LENGTH = 1024;

/** Maps a WopiError to its HTTP response, as tabled in libs/wopi/README.md. */
export function toWopiResponse(error: WopiError): WopiErrorResponse {
  const detail = error.detail;
  switch (detail.code) {
    case WopiErrorCode.InvalidToken:
      return { status: 401, headers: {} };
    case WopiErrorCode.FileNotFound:
      return { status: 404, headers: {} };
    case WopiErrorCode.LockMismatch: {
      // X-WOPI-Lock is mandatory on every lock mismatch: '' when unlocked (_fragments/lock409.rst).
      const headers: Record<string, string> = { [WopiHeader.Lock]: toLockHeaderValue(detail.currentLock) };
      if (detail.reason !== undefined) headers[WopiHeader.LockFailureReason] = informational(detail.reason);
      if (detail.conflictingLockUsername !== undefined && isPrintableAscii(detail.conflictingLockUsername)) {
        headers[WopiHeader.ConflictingLockUsername] = detail.conflictingLockUsername;
      }
      return { status: 409, headers };
    }
    case WopiErrorCode.InvalidFileName:
      return {
        status: 400,
        headers: {
          [WopiHeader.InvalidFileNameError]: informational(detail.reason),
          ...validRelativeTarget(detail.validTarget),
        },
      };
    case WopiErrorCode.RelativeTargetExists:
      return { status: 409, headers: validRelativeTarget(detail.validTarget) };
    case WopiErrorCode.FileTooLarge:
      return { status: 413, headers: {} };
    case WopiErrorCode.PreconditionFailed:
      return { status: 412, headers: serverError(detail.reason) };
    case WopiErrorCode.BadRequest:
      return { status: 400, headers: serverError(detail.reason) };
    case WopiErrorCode.NotImplemented:
      return { status: 501, headers: serverError(detail.reason) };
    case WopiErrorCode.CoreAppUnavailable:
      return { status: 503, headers: { [WopiHeader.RetryAfter]: String(detail.retryAfterSeconds) } };
    case WopiErrorCode.CollaboraTimestampMismatch:
      // LOOLStatusCode too: Collabora before the 2021 rename (and ONLYOFFICE, which follows its names) reads that key.
      return {
        status: 409,
        headers: { [WopiHeader.ContentType]: JSON_CONTENT_TYPE },
        body: JSON.stringify({
          COOLStatusCode: COLLABORA_DOCUMENT_CHANGED_STATUS_CODE,
          LOOLStatusCode: COLLABORA_DOCUMENT_CHANGED_STATUS_CODE,
        }),
      };
    case WopiErrorCode.InvalidProof:
      // 500, not 401: "if a request is not signed properly, the host must return a 500" (proofkeys.rst).
      return { status: 500, headers: serverError(`Proof key validation failed: ${detail.reason}`) };
    case WopiErrorCode.Internal:
      return {
        status: 500,
        headers: {
          ...serverError(`Internal error; correlation id ${detail.correlationId}`),
          [WopiHeader.ContentType]: JSON_CONTENT_TYPE,
        },
        body: JSON.stringify({ correlationId: detail.correlationId }),
      };
    default:
      return assertNever(detail);
  }
}

/** X-WOPI-ServerError: free text for the client's logs, allowed on any non-200 (common_headers.rst). */
function serverError(reason: string | undefined): Record<string, string> {
  return reason === undefined ? {} : { [WopiHeader.ServerError]: informational(reason) };
}

/** X-WOPI-ValidRelativeTarget is UTF-7, like the request's target headers (PutRelativeFile.rst). */
function validRelativeTarget(validTarget: string | undefined): Record<string, string> {
  // A name that is not well-formed UTF-16 cannot be encoded; offering nothing beats failing the response.
  if (validTarget === undefined || /\p{Cs}/u.test(validTarget)) return {};
  return { [WopiHeader.ValidRelativeTarget]: encodeUtf7(validTarget) };
}

/** A header-safe version of free text: printable ASCII only (no CR/LF injection, nothing Node refuses), bounded. */
function informational(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_INFORMATIONAL_HEADER_LENGTH);
}

function isPrintableAscii(text: string): boolean {
  return /^[\x20-\x7e]*$/.test(text);
}
