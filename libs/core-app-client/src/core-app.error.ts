export enum CoreAppErrorKind {
  /** 404: the core app has no such document. */
  NotFound = 'not_found',
  /** 403: the document exists but this user may not see it or do this. */
  Forbidden = 'forbidden',
  /** 409: a file with that name exists already. */
  NameConflict = 'name_conflict',
  /** 412: the document changed since the version the gateway based its write on. */
  VersionMismatch = 'version_mismatch',
  /** 400: the core app refused the request (e.g. an invalid name). */
  Rejected = 'rejected',
  /** 413: too large for the core app. */
  TooLarge = 'too_large',
  /** Timeout, connection failure, 5xx or 401 (our credential refused): the core app cannot serve us. */
  Unavailable = 'unavailable',
  /** The tenant's circuit breaker is open: the core app is not even asked. */
  CircuitOpen = 'circuit_open',
  /** Any other answer the contract does not allow. */
  BadResponse = 'bad_response',
}

/** Kinds that are answers of a healthy core app: they never count against its circuit breaker. */
export const ANSWER_KINDS: ReadonlySet<CoreAppErrorKind> = new Set([
  CoreAppErrorKind.NotFound,
  CoreAppErrorKind.Forbidden,
  CoreAppErrorKind.NameConflict,
  CoreAppErrorKind.VersionMismatch,
  CoreAppErrorKind.Rejected,
  CoreAppErrorKind.TooLarge,
]);

export class CoreAppError extends Error {
  constructor(
    readonly kind: CoreAppErrorKind,
    message: string,
    readonly details: {
      status?: number;
      /** The core app's error code and details (contract error body). */
      code?: string;
      body?: Record<string, unknown>;
      /** For CircuitOpen/Unavailable: when asking again makes sense. */
      retryAfterSeconds?: number;
    } = {},
  ) {
    super(message);
    this.name = 'CoreAppError';
  }

  get retryAfterSeconds(): number | undefined {
    return this.details.retryAfterSeconds;
  }
}
