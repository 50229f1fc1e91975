/** Every way a WOPI operation can fail; toWopiResponse() maps each to a status and headers (README.md). */
export enum WopiErrorCode {
  InvalidToken = 'INVALID_TOKEN',
  FileNotFound = 'FILE_NOT_FOUND',
  LockMismatch = 'LOCK_MISMATCH',
  InvalidFileName = 'INVALID_FILE_NAME',
  RelativeTargetExists = 'RELATIVE_TARGET_EXISTS',
  FileTooLarge = 'FILE_TOO_LARGE',
  PreconditionFailed = 'PRECONDITION_FAILED',
  BadRequest = 'BAD_REQUEST',
  NotImplemented = 'NOT_IMPLEMENTED',
  CoreAppUnavailable = 'CORE_APP_UNAVAILABLE',
  CollaboraTimestampMismatch = 'COLLABORA_TIMESTAMP_MISMATCH',
  InvalidProof = 'INVALID_PROOF',
  Internal = 'INTERNAL',
}

/** What each code carries; `code` discriminates. */
export type WopiErrorDetail =
  | { code: WopiErrorCode.InvalidToken }
  | { code: WopiErrorCode.FileNotFound }
  | { code: WopiErrorCode.LockMismatch; currentLock: string; reason?: string; conflictingLockUsername?: string }
  | { code: WopiErrorCode.InvalidFileName; reason: string; validTarget?: string }
  | { code: WopiErrorCode.RelativeTargetExists; validTarget?: string }
  | { code: WopiErrorCode.FileTooLarge }
  | { code: WopiErrorCode.PreconditionFailed; reason?: string }
  | { code: WopiErrorCode.BadRequest; reason: string }
  | { code: WopiErrorCode.NotImplemented; reason?: string }
  | { code: WopiErrorCode.CoreAppUnavailable; retryAfterSeconds: number }
  | { code: WopiErrorCode.CollaboraTimestampMismatch }
  | { code: WopiErrorCode.InvalidProof; reason: string }
  | { code: WopiErrorCode.Internal; correlationId: string };

export interface LockMismatchOptions {
  /**
   * UserFriendlyName of the user holding the lock, when they made it visible with
   * X-WOPI-LockUserVisible (learn plus/coauthoring/wopi-locks.md). Sent only if it is printable ASCII.
   */
  conflictingLockUsername?: string;
}

/**
 * A WOPI failure, free of HTTP: services and libs throw it, one filter turns it into a response with
 * toWopiResponse(). Build it with the static factories.
 */
export class WopiError extends Error {
  private constructor(
    readonly detail: WopiErrorDetail,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'WopiError';
  }

  get code(): WopiErrorCode {
    return this.detail.code;
  }

  /** The access token is missing, malformed, expired, revoked or not for this file. `reason` is for logs only. */
  static invalidToken(reason?: string): WopiError {
    return new WopiError({ code: WopiErrorCode.InvalidToken }, withReason('Invalid access token', reason));
  }

  /** The file does not exist, or this user may not see it (WOPI answers both with 404). `reason` is for logs only. */
  static fileNotFound(reason?: string): WopiError {
    return new WopiError({ code: WopiErrorCode.FileNotFound }, withReason('File not found', reason));
  }

  /**
   * The request's lock does not match the file's (or the file is unlocked: pass ''). The current lock
   * goes back in X-WOPI-Lock; `reason` only into X-WOPI-LockFailureReason, for logs.
   */
  static lockMismatch(currentLock: string, reason?: string, options: LockMismatchOptions = {}): WopiError {
    return new WopiError(
      {
        code: WopiErrorCode.LockMismatch,
        currentLock,
        reason,
        conflictingLockUsername: options.conflictingLockUsername,
      },
      withReason('Lock mismatch', reason),
    );
  }

  /**
   * The requested name is illegal (RenameFile, specific-mode PutRelativeFile). `reason` goes into
   * X-WOPI-InvalidFileNameError; `validTarget`, a legal alternative, into X-WOPI-ValidRelativeTarget
   * so that a PutRelativeFile client retries with it (PutRelativeFile.rst).
   */
  static invalidFileName(reason: string, validTarget?: string): WopiError {
    return new WopiError({ code: WopiErrorCode.InvalidFileName, reason, validTarget }, `Invalid file name: ${reason}`);
  }

  /**
   * Specific-mode PutRelativeFile: a file with that name exists and overwriting was not asked for.
   * `validTarget`, a free name, goes into X-WOPI-ValidRelativeTarget (PutRelativeFile.rst).
   */
  static relativeTargetExists(validTarget?: string): WopiError {
    return new WopiError(
      { code: WopiErrorCode.RelativeTargetExists, validTarget },
      'The relative target already exists',
    );
  }

  /** The file is larger than the tenant allows (PutFile, PutRelativeFile: 413). */
  static fileTooLarge(): WopiError {
    return new WopiError({ code: WopiErrorCode.FileTooLarge }, 'File too large');
  }

  /** GetFile: the file is larger than X-WOPI-MaxExpectedSize (GetFile.rst: 412). */
  static preconditionFailed(reason?: string): WopiError {
    return new WopiError({ code: WopiErrorCode.PreconditionFailed, reason }, reason ?? 'Precondition failed');
  }

  /** A malformed request: a required header missing or unparsable. `reason` goes into X-WOPI-ServerError. */
  static badRequest(reason: string): WopiError {
    return new WopiError({ code: WopiErrorCode.BadRequest, reason }, `Bad request: ${reason}`);
  }

  /** An operation this host does not support, or has switched off for the tenant (501). */
  static notImplemented(reason?: string): WopiError {
    return new WopiError({ code: WopiErrorCode.NotImplemented, reason }, reason ?? 'Not implemented');
  }

  /** The tenant's core app is not answering (open breaker, timeout, 5xx): 503 with Retry-After. */
  static coreAppUnavailable(retryAfterSeconds: number, cause?: unknown): WopiError {
    // Retry-After takes whole seconds; at least 1, so that clients never retry in a tight loop.
    const seconds = Number.isFinite(retryAfterSeconds) ? Math.max(1, Math.ceil(retryAfterSeconds)) : 1;
    return new WopiError(
      { code: WopiErrorCode.CoreAppUnavailable, retryAfterSeconds: seconds },
      'Core app unavailable',
      { cause },
    );
  }

  /**
   * Collabora PutFile whose X-COOL-WOPI-Timestamp is not the file's LastModifiedTime: the document
   * changed in storage meanwhile. 409 with {"COOLStatusCode":1010} (Collabora advanced_integration.md).
   */
  static collaboraTimestampMismatch(): WopiError {
    return new WopiError({ code: WopiErrorCode.CollaboraTimestampMismatch }, 'The document changed in storage');
  }

  /** X-WOPI-Proof/ProofOld/TimeStamp did not verify: the host must answer 500 (proofkeys.rst). */
  static invalidProof(reason: string): WopiError {
    return new WopiError({ code: WopiErrorCode.InvalidProof, reason }, `Proof key validation failed: ${reason}`);
  }

  /** A bug or an unexpected failure: 500; the correlation id links the client's report to our logs. */
  static internal(correlationId: string, cause?: unknown): WopiError {
    return new WopiError({ code: WopiErrorCode.Internal, correlationId }, `Internal error (${correlationId})`, {
      cause,
    });
  }
}

function withReason(message: string, reason: string | undefined): string {
  return reason === undefined ? message : `${message}: ${reason}`;
}
