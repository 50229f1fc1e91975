/**
 * Every failure demo-core reports; `toErrorResponse` maps each to a status. The values are the
 * `error.code` strings of the core-app contract v1 (libs/core-app-client/openapi).
 */
export enum DemoCoreErrorCode {
  Unauthorized = 'unauthorized',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  BadRequest = 'bad_request',
  InvalidName = 'invalid_name',
  DigestMismatch = 'digest_mismatch',
  NameConflict = 'name_conflict',
  VersionMismatch = 'version_mismatch',
  PayloadTooLarge = 'payload_too_large',
  IdempotencyKeyReused = 'idempotency_key_reused',
  InjectedFault = 'injected_fault',
  InternalError = 'internal_error',
}

/** Why a signed request was refused (the reasons of verifySignedRequest). */
export type UnauthorizedReason =
  'missing_signature' | 'malformed_headers' | 'stale_timestamp' | 'bad_signature' | 'replayed';

/** Why a file name was refused (`invalid_name`). */
export enum InvalidNameReason {
  Empty = 'empty',
  TooLong = 'too_long',
  InvalidCharacter = 'invalid_character',
  ReservedName = 'reserved_name',
  InvalidEnding = 'invalid_ending',
}

/** Machine-readable context of an error, sent as `error.details`. */
export interface DemoCoreErrorDetails {
  /** version_mismatch: the document's version now, so a client can re-read and retry. */
  readonly currentVersion?: string;
  /** name_conflict: the file that already has the name. */
  readonly existingRef?: string;
  /** name_conflict: a free name in the same folder, keeping the extension. */
  readonly suggestedName?: string;
  /** unauthorized, invalid_name: which rule the request broke. */
  readonly reason?: string;
  /** injected_fault: the status the fault was configured to answer. */
  readonly status?: number;
}

export class DemoCoreError extends Error {
  private constructor(
    readonly code: DemoCoreErrorCode,
    message: string,
    readonly details: DemoCoreErrorDetails = {},
  ) {
    super(message);
    this.name = 'DemoCoreError';
  }

  static unauthorized(reason: UnauthorizedReason): DemoCoreError {
    return new DemoCoreError(DemoCoreErrorCode.Unauthorized, `request signature refused: ${reason}`, { reason });
  }

  /** The file exists, but this user (known or not) may not do this with it. */
  static forbidden(message: string): DemoCoreError {
    return new DemoCoreError(DemoCoreErrorCode.Forbidden, message);
  }

  static fileNotFound(ref: string): DemoCoreError {
    return new DemoCoreError(DemoCoreErrorCode.NotFound, `no file with ref ${JSON.stringify(ref)}`);
  }

  static siblingNotFound(name: string): DemoCoreError {
    return new DemoCoreError(DemoCoreErrorCode.NotFound, `no file named ${JSON.stringify(name)} in this folder`);
  }

  static userNotFound(id: string): DemoCoreError {
    return new DemoCoreError(DemoCoreErrorCode.NotFound, `no user with id ${JSON.stringify(id)}`);
  }

  static routeNotFound(method: string, url: string): DemoCoreError {
    return new DemoCoreError(DemoCoreErrorCode.NotFound, `no route ${method} ${url}`);
  }

  static badRequest(message: string): DemoCoreError {
    return new DemoCoreError(DemoCoreErrorCode.BadRequest, message);
  }

  static invalidName(reason: InvalidNameReason, message: string): DemoCoreError {
    return new DemoCoreError(DemoCoreErrorCode.InvalidName, message, { reason });
  }

  static digestMismatch(): DemoCoreError {
    return new DemoCoreError(
      DemoCoreErrorCode.DigestMismatch,
      'the SHA-256 of the body does not match x-gateway-content-sha256; nothing was written',
    );
  }

  static nameConflict(name: string, existingRef: string, suggestedName: string): DemoCoreError {
    return new DemoCoreError(
      DemoCoreErrorCode.NameConflict,
      `a file named ${JSON.stringify(name)} already exists in this folder`,
      { existingRef, suggestedName },
    );
  }

  static versionMismatch(currentVersion: string | undefined): DemoCoreError {
    return currentVersion === undefined
      ? new DemoCoreError(DemoCoreErrorCode.VersionMismatch, 'If-Match was sent but there is no such file to match')
      : new DemoCoreError(
          DemoCoreErrorCode.VersionMismatch,
          `If-Match does not match the current version ${currentVersion}`,
          { currentVersion },
        );
  }

  static payloadTooLarge(maxBytes?: number): DemoCoreError {
    return new DemoCoreError(
      DemoCoreErrorCode.PayloadTooLarge,
      maxBytes === undefined ? 'the request body is too large' : `content exceeds the limit of ${maxBytes} bytes`,
    );
  }

  static idempotencyKeyReused(): DemoCoreError {
    return new DemoCoreError(
      DemoCoreErrorCode.IdempotencyKeyReused,
      'Idempotency-Key was already used for a different request',
    );
  }

  /** A failure configured through /_control (test switch), answered with `status`. */
  static injectedFault(status: number): DemoCoreError {
    return new DemoCoreError(DemoCoreErrorCode.InjectedFault, `fault injected through /_control (${status})`, {
      status,
    });
  }

  static internal(): DemoCoreError {
    return new DemoCoreError(DemoCoreErrorCode.InternalError, 'internal error');
  }
}
