import { assertNever } from './assert-never';
import { decodeUtf7 } from './utf7';
import { WopiError } from './wopi-error';
import { WopiHeader, type WopiHeaderName } from './wopi-header';
import {
  WOPI_LOCK_EXPIRATION_TIMEOUT_MAX_SECONDS,
  WOPI_LOCK_EXPIRATION_TIMEOUT_MIN_SECONDS,
  WOPI_LOCK_MAX_LENGTH,
  WOPI_LOCK_TTL_MS,
  lockIdProblem,
} from './wopi-lock';
import { WopiOperation, WopiOverride } from './wopi-operation';
import { readSingleHeader, type WopiRequestHeaders } from './wopi-request-headers';

/** 2^31 - 1: GetFile's X-WOPI-MaxExpectedSize when absent, "the maximum value of a 4-byte integer" (GetFile.rst). */
export const DEFAULT_MAX_EXPECTED_SIZE_BYTES = 2_147_483_647;

/** Which WOPI route received the request: `/wopi/files/{id}` or `/wopi/files/{id}/contents`. */
export type WopiRequestPath = 'files' | 'contents';

export interface WopiRequestInput {
  method: string;
  path: WopiRequestPath;
  headers: WopiRequestHeaders;
}

export interface CheckFileInfoRequest {
  operation: WopiOperation.CheckFileInfo;
  /** X-WOPI-SessionContext: the SESSION_CONTEXT value of the action URL, if any. */
  sessionContext?: string;
}

export interface GetFileRequest {
  operation: WopiOperation.GetFile;
  /** X-WOPI-MaxExpectedSize, or 2^31 - 1 when absent; a larger file is a 412 (GetFile.rst). */
  maxExpectedSizeBytes: number;
}

export interface PutFileRequest {
  operation: WopiOperation.PutFile;
  /** X-WOPI-Lock; absent when a client writes the first content of a new, empty file (PutFile.rst, createnew.rst). */
  lock?: string;
  /** X-WOPI-Editors: UserIds of everyone whose changes this save contains; empty when not sent. */
  editors: string[];
  /**
   * Collabora's X-COOL-WOPI-Timestamp (or X-LOOL-): the file's LastModifiedTime as the client last saw
   * it, unvalidated. Absent means "save regardless" (the client's overwrite after a conflict). Compare
   * it with isSameInstant(): an unparsable value never matches, so it becomes a conflict, not a blind overwrite.
   */
  collaboraTimestamp?: string;
  /** Collabora: the user changed the document since the last save (false: Save pressed without changes). */
  isModifiedByUser?: boolean;
  /** Collabora: the save was triggered by autosave rather than by the user. */
  isAutosave?: boolean;
  /** Collabora: the save happens because the last user left the document. */
  isExitSave?: boolean;
}

/** Lock, and the lock extensions of CSPP Plus (learn plus/coauthoring/wopi-locks.md). */
export interface LockRequest {
  operation: WopiOperation.Lock;
  lock: string;
  /** From X-WOPI-LockExpirationTimeout, else the standard 30 minutes. */
  lockTtlMs: number;
  /** X-WOPI-LockUserVisible: name this user in X-WOPI-ConflictingLockUsername on conflicts. */
  lockUserVisible: boolean;
}

export interface UnlockAndRelockRequest {
  operation: WopiOperation.UnlockAndRelock;
  /** The new lock. */
  lock: string;
  /** X-WOPI-OldLock: the lock expected on the file now. */
  oldLock: string;
  lockTtlMs: number;
  lockUserVisible: boolean;
}

export interface RefreshLockRequest {
  operation: WopiOperation.RefreshLock;
  lock: string;
  lockTtlMs: number;
  lockUserVisible: boolean;
}

export interface UnlockRequest {
  operation: WopiOperation.Unlock;
  lock: string;
}

export interface GetLockRequest {
  operation: WopiOperation.GetLock;
}

/** PutRelativeFile's two mutually exclusive modes (PutRelativeFile.rst). */
export type RelativeTarget =
  | {
      /** X-WOPI-SuggestedTarget: adjust the name as needed; never answer 400 or 409 for the name. */
      mode: 'suggested';
      /** Decoded; a value starting with '.' is only an extension (see suggestedTargetToName()). */
      suggestedTarget: string;
    }
  | {
      /** X-WOPI-RelativeTarget: use exactly this name, or fail. */
      mode: 'specific';
      /** Decoded full file name, not yet checked for legality (see fileNameProblem()). */
      relativeTarget: string;
      /** X-WOPI-OverwriteRelativeTarget; false when absent. */
      overwrite: boolean;
    };

export interface PutRelativeFileRequest {
  operation: WopiOperation.PutRelativeFile;
  target: RelativeTarget;
  /** X-WOPI-Size: the size of the body in bytes, when sent. */
  sizeBytes?: number;
  /** X-WOPI-FileConversion: the save is part of a binary-to-modern conversion (online/scenarios/conversion.rst). */
  isFileConversion: boolean;
}

export interface RenameFileRequest {
  operation: WopiOperation.RenameFile;
  /** Decoded X-WOPI-RequestedName: the new name without extension, not yet checked for legality. */
  requestedName: string;
  /** X-WOPI-Lock, when the client sent a non-empty one. */
  lock?: string;
}

export interface DeleteFileRequest {
  operation: WopiOperation.DeleteFile;
}

/** PutUserInfo's input is its body; see parseUserInfo(). */
export interface PutUserInfoRequest {
  operation: WopiOperation.PutUserInfo;
}

export interface GetShareUrlRequest {
  operation: WopiOperation.GetShareUrl;
  /** X-WOPI-UrlType, e.g. "ReadOnly" or "ReadWrite"; a type the host does not support is a 501. */
  urlType: string;
}

/** A parsed WOPI request: one variant per operation, discriminated by `operation`. */
export type WopiRequest =
  | CheckFileInfoRequest
  | GetFileRequest
  | PutFileRequest
  | LockRequest
  | UnlockAndRelockRequest
  | RefreshLockRequest
  | UnlockRequest
  | GetLockRequest
  | PutRelativeFileRequest
  | RenameFileRequest
  | DeleteFileRequest
  | PutUserInfoRequest
  | GetShareUrlRequest;

export type WopiRequestOf<Operation extends WopiOperation> = Extract<WopiRequest, { operation: Operation }>;

/**
 * The outcome of parseWopiRequest(). A failure keeps the operation when it was recognised, so that a
 * caller can answer 501 for an operation the tenant has switched off before it answers 400 for the
 * operation's malformed inputs (the validator's PutRelativeFileUnsupported group expects exactly that).
 */
export type WopiRequestParseResult =
  | { ok: true; request: WopiRequest }
  | {
      ok: false;
      /** The operation, when method, path and X-WOPI-Override identified one. */
      operation?: WopiOperation;
      /** The X-WOPI-Override value as sent, for logs. */
      override?: string;
      error: WopiError;
    };

/**
 * Identifies the WOPI operation of a request to `/wopi/files/{id}` (path 'files') or
 * `.../contents` ('contents') and parses and validates its inputs from the headers. Never throws
 * for bad input: an unknown or missing X-WOPI-Override is a failure with WopiError.notImplemented(),
 * malformed inputs a failure with the matching WopiError (mostly 400).
 */
export function parseWopiRequest(input: WopiRequestInput): WopiRequestParseResult {
  let override: string | undefined;
  let operation: WopiOperation | undefined;
  try {
    override = input.method.toUpperCase() === 'POST' ? readSingleHeader(input.headers, WopiHeader.Override) : undefined;
    operation = identifyOperation(input.method, input.path, override, input.headers);
    if (operation === undefined) {
      const reason =
        override === undefined
          ? `no WOPI operation for ${input.method} ${input.path}`
          : `unsupported ${WopiHeader.Override} "${override}"`;
      return { ok: false, override, error: WopiError.notImplemented(reason) };
    }
    return { ok: true, request: parseInputs(operation, input.headers) };
  } catch (error) {
    if (error instanceof WopiError) return { ok: false, operation, override, error };
    throw error;
  }
}

/**
 * The operation a request asks for, without validating the rest of it (for metrics and traces,
 * which name the operation even of a request that is then refused); undefined when none fits.
 */
export function identifyWopiOperation(
  method: string,
  path: WopiRequestPath,
  headers: WopiRequestHeaders,
): WopiOperation | undefined {
  try {
    const override = method.toUpperCase() === 'POST' ? readSingleHeader(headers, WopiHeader.Override) : undefined;
    return identifyOperation(method, path, override, headers);
  } catch {
    return undefined;
  }
}

function identifyOperation(
  method: string,
  path: WopiRequestPath,
  override: string | undefined,
  headers: WopiRequestHeaders,
): WopiOperation | undefined {
  switch (method.toUpperCase()) {
    case 'GET':
      return path === 'files' ? WopiOperation.CheckFileInfo : WopiOperation.GetFile;
    case 'POST':
      if (path === 'contents') return override === WopiOverride.Put ? WopiOperation.PutFile : undefined;
      return operationOfFilesOverride(override, headers);
    default:
      return undefined;
  }
}

function operationOfFilesOverride(
  override: string | undefined,
  headers: WopiRequestHeaders,
): WopiOperation | undefined {
  switch (override) {
    case WopiOverride.Lock:
      // Lock and UnlockAndRelock share LOCK; X-WOPI-OldLock tells them apart (UnlockAndRelock.rst).
      return nonEmpty(readSingleHeader(headers, WopiHeader.OldLock)) === undefined
        ? WopiOperation.Lock
        : WopiOperation.UnlockAndRelock;
    case WopiOverride.GetLock:
      return WopiOperation.GetLock;
    case WopiOverride.RefreshLock:
      return WopiOperation.RefreshLock;
    case WopiOverride.Unlock:
      return WopiOperation.Unlock;
    case WopiOverride.PutRelative:
      return WopiOperation.PutRelativeFile;
    case WopiOverride.RenameFile:
      return WopiOperation.RenameFile;
    case WopiOverride.Delete:
      return WopiOperation.DeleteFile;
    case WopiOverride.PutUserInfo:
      return WopiOperation.PutUserInfo;
    case WopiOverride.GetShareUrl:
      return WopiOperation.GetShareUrl;
    default:
      return undefined;
  }
}

function parseInputs(operation: WopiOperation, headers: WopiRequestHeaders): WopiRequest {
  switch (operation) {
    case WopiOperation.CheckFileInfo:
      return { operation, sessionContext: readSingleHeader(headers, WopiHeader.SessionContext) };
    case WopiOperation.GetFile:
      return {
        operation,
        maxExpectedSizeBytes:
          readNonNegativeInteger(headers, WopiHeader.MaxExpectedSize) ?? DEFAULT_MAX_EXPECTED_SIZE_BYTES,
      };
    case WopiOperation.PutFile:
      return {
        operation,
        lock: readOptionalLock(headers, WopiHeader.Lock),
        editors: readEditors(headers),
        collaboraTimestamp:
          readSingleHeader(headers, WopiHeader.CoolTimestamp) ?? readSingleHeader(headers, WopiHeader.LoolTimestamp),
        isModifiedByUser: readCollaboraFlag(headers, WopiHeader.CoolIsModifiedByUser, WopiHeader.LoolIsModifiedByUser),
        isAutosave: readCollaboraFlag(headers, WopiHeader.CoolIsAutosave, WopiHeader.LoolIsAutosave),
        isExitSave: readCollaboraFlag(headers, WopiHeader.CoolIsExitSave, WopiHeader.LoolIsExitSave),
      };
    case WopiOperation.Lock:
      return { operation, lock: readRequiredLock(headers, WopiHeader.Lock), ...readLockOptions(headers) };
    case WopiOperation.UnlockAndRelock:
      return {
        operation,
        lock: readRequiredLock(headers, WopiHeader.Lock),
        oldLock: readRequiredLock(headers, WopiHeader.OldLock),
        ...readLockOptions(headers),
      };
    case WopiOperation.RefreshLock:
      return { operation, lock: readRequiredLock(headers, WopiHeader.Lock), ...readLockOptions(headers) };
    case WopiOperation.Unlock:
      return { operation, lock: readRequiredLock(headers, WopiHeader.Lock) };
    case WopiOperation.GetLock:
      return { operation };
    case WopiOperation.PutRelativeFile:
      return {
        operation,
        target: readRelativeTarget(headers),
        sizeBytes: readNonNegativeInteger(headers, WopiHeader.Size),
        isFileConversion: readFileConversion(headers),
      };
    case WopiOperation.RenameFile:
      return { operation, requestedName: readRequestedName(headers), lock: readOptionalLock(headers, WopiHeader.Lock) };
    case WopiOperation.DeleteFile:
      return { operation };
    case WopiOperation.PutUserInfo:
      return { operation };
    case WopiOperation.GetShareUrl: {
      // A missing or unsupported X-WOPI-UrlType is a 501, not a 400 (GetShareUrl.rst).
      const urlType = nonEmpty(readSingleHeader(headers, WopiHeader.UrlType));
      if (urlType === undefined) throw WopiError.notImplemented(`${WopiHeader.UrlType} was not provided`);
      return { operation, urlType };
    }
    default:
      return assertNever(operation);
  }
}

/**
 * A lock the operation cannot do without. Missing or empty is a 400 (Lock.rst and siblings). Longer
 * than 1024 characters or not ASCII is a 400 too: the spec caps lock IDs at 1024 ASCII characters
 * (concepts.rst "Lock"), and learn rename-file-plus.md answers 400 when "the header size wasn't
 * within the acceptable range". Such a lock could never be stored, nor echoed in X-WOPI-Lock.
 */
function readRequiredLock(headers: WopiRequestHeaders, name: WopiHeaderName): string {
  const lock = nonEmpty(readSingleHeader(headers, name));
  if (lock === undefined) throw WopiError.badRequest(`${name} was not provided or was empty`);
  return validLock(lock, name);
}

/** A lock the operation may go without (PutFile, RenameFile): empty counts as absent, as the validator sends ''. */
function readOptionalLock(headers: WopiRequestHeaders, name: WopiHeaderName): string | undefined {
  const lock = nonEmpty(readSingleHeader(headers, name));
  return lock === undefined ? undefined : validLock(lock, name);
}

function validLock(lock: string, name: WopiHeaderName): string {
  switch (lockIdProblem(lock)) {
    case undefined:
      return lock;
    case 'too-long':
      throw WopiError.badRequest(`${name} is longer than ${WOPI_LOCK_MAX_LENGTH} characters`);
    case 'not-ascii':
      throw WopiError.badRequest(`${name} contains characters other than printable ASCII and tab`);
    case 'empty':
      throw WopiError.badRequest(`${name} was not provided or was empty`);
  }
}

function readLockOptions(headers: WopiRequestHeaders): { lockTtlMs: number; lockUserVisible: boolean } {
  const timeoutSeconds = readNonNegativeInteger(headers, WopiHeader.LockExpirationTimeout);
  if (
    timeoutSeconds !== undefined &&
    (timeoutSeconds < WOPI_LOCK_EXPIRATION_TIMEOUT_MIN_SECONDS ||
      timeoutSeconds > WOPI_LOCK_EXPIRATION_TIMEOUT_MAX_SECONDS)
  ) {
    throw WopiError.badRequest(
      `${WopiHeader.LockExpirationTimeout} must be between ${WOPI_LOCK_EXPIRATION_TIMEOUT_MIN_SECONDS} and ${WOPI_LOCK_EXPIRATION_TIMEOUT_MAX_SECONDS} seconds`,
    );
  }
  return {
    lockTtlMs: timeoutSeconds === undefined ? WOPI_LOCK_TTL_MS : timeoutSeconds * 1000,
    lockUserVisible: readStrictBoolean(headers, WopiHeader.LockUserVisible) ?? false,
  };
}

function readRelativeTarget(headers: WopiRequestHeaders): RelativeTarget {
  // An empty header carries no name: treat it as absent.
  const suggested = nonEmpty(readSingleHeader(headers, WopiHeader.SuggestedTarget));
  const relative = nonEmpty(readSingleHeader(headers, WopiHeader.RelativeTarget));
  if (suggested !== undefined && relative !== undefined) {
    // "If both headers are present the host should respond with a 400 or 501" (PutRelativeFile.rst).
    throw WopiError.badRequest(`${WopiHeader.SuggestedTarget} and ${WopiHeader.RelativeTarget} are mutually exclusive`);
  }
  if (suggested !== undefined) {
    const suggestedTarget = decodeFileNameHeader(suggested);
    if (suggestedTarget === undefined) throw WopiError.badRequest(`${WopiHeader.SuggestedTarget} is not valid UTF-7`);
    // X-WOPI-OverwriteRelativeTarget "must be ignored" without X-WOPI-RelativeTarget: not even validated.
    return { mode: 'suggested', suggestedTarget };
  }
  if (relative !== undefined) {
    const relativeTarget = decodeFileNameHeader(relative);
    if (relativeTarget === undefined) {
      throw WopiError.invalidFileName(`${WopiHeader.RelativeTarget} is not valid UTF-7`);
    }
    return {
      mode: 'specific',
      relativeTarget,
      overwrite: readStrictBoolean(headers, WopiHeader.OverwriteRelativeTarget) ?? false,
    };
  }
  throw WopiError.badRequest(`PutRelativeFile needs ${WopiHeader.SuggestedTarget} or ${WopiHeader.RelativeTarget}`);
}

function readRequestedName(headers: WopiRequestHeaders): string {
  // Every RenameFile 400 carries X-WOPI-InvalidFileNameError (RenameFile.rst), hence invalidFileName().
  const header = readSingleHeader(headers, WopiHeader.RequestedName);
  if (header === undefined) throw WopiError.invalidFileName(`${WopiHeader.RequestedName} was not provided`);
  const requestedName = decodeFileNameHeader(header);
  if (requestedName === undefined) throw WopiError.invalidFileName(`${WopiHeader.RequestedName} is not valid UTF-7`);
  if (requestedName === '') throw WopiError.invalidFileName(`${WopiHeader.RequestedName} is empty`);
  return requestedName;
}

/**
 * A file name from a UTF-7 header, or undefined when it cannot be decoded. A value with bytes above
 * 0x7F is not UTF-7 at all (UTF-7 is 7-bit), so reading it as the raw UTF-8 some clients send
 * instead cannot misread a valid UTF-7 name. Node hands header bytes over as Latin-1 characters.
 */
function decodeFileNameHeader(value: string): string | undefined {
  if (/^\p{ASCII}*$/u.test(value)) {
    try {
      return decodeUtf7(value);
    } catch {
      return undefined;
    }
  }
  // Above U+00FF: not a byte string from Node, so not header bytes we could reinterpret.
  if (/[\u0100-\uffff]/.test(value)) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(value, 'latin1'));
  } catch {
    return undefined;
  }
}

function readEditors(headers: WopiRequestHeaders): string[] {
  const editors = readSingleHeader(headers, WopiHeader.Editors);
  if (editors === undefined) return [];
  return editors
    .split(',')
    .map((userId) => userId.trim())
    .filter((userId) => userId !== '');
}

/**
 * X-WOPI-FileConversion marks a conversion by its presence (PutRelativeFile.rst); ONLYOFFICE documents
 * it as a boolean, so an explicit "false" is honoured.
 */
function readFileConversion(headers: WopiRequestHeaders): boolean {
  const value = readSingleHeader(headers, WopiHeader.FileConversion);
  return value !== undefined && parseBoolean(value) !== false;
}

/** Collabora's save flags are informational: an unreadable value is ignored rather than failing a save. */
function readCollaboraFlag(
  headers: WopiRequestHeaders,
  coolName: WopiHeaderName,
  loolName: WopiHeaderName,
): boolean | undefined {
  const value = readSingleHeader(headers, coolName) ?? readSingleHeader(headers, loolName);
  return value === undefined ? undefined : parseBoolean(value);
}

/** A boolean header that changes what the host does: anything but true/false (any case, as .NET sends "True") is a 400. */
function readStrictBoolean(headers: WopiRequestHeaders, name: WopiHeaderName): boolean | undefined {
  const value = readSingleHeader(headers, name);
  if (value === undefined) return undefined;
  const parsed = parseBoolean(value);
  if (parsed === undefined) throw WopiError.badRequest(`${name} must be true or false`);
  return parsed;
}

function parseBoolean(value: string): boolean | undefined {
  const normalized = value.trim().toLowerCase();
  if (normalized === 'true') return true;
  if (normalized === 'false') return false;
  return undefined;
}

function readNonNegativeInteger(headers: WopiRequestHeaders, name: WopiHeaderName): number | undefined {
  const value = readSingleHeader(headers, name);
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  const parsed = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(parsed)) {
    throw WopiError.badRequest(`${name} must be a non-negative integer`);
  }
  return parsed;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === '' ? undefined : value;
}
