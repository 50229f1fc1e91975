/** Why a conversion failed; the code is what the session API reports in `error.code`. */
export enum ConversionErrorCode {
  /** The source's type cannot be converted to the requested format. */
  UnsupportedConversion = 'unsupported_conversion',
  /** No LibreOffice on this worker (a deployment fault: another worker may have it). */
  ConverterUnavailable = 'converter_unavailable',
  /** LibreOffice could not load or export the document, or crashed. */
  ConverterFailed = 'converter_failed',
  /** LibreOffice did not finish in time; its processes were killed. */
  Timeout = 'timeout',
  /** LibreOffice reported success but wrote no usable file. */
  InvalidOutput = 'invalid_output',
  /** The source or the result is larger than the tenant allows. */
  TooLarge = 'too_large',
  /** The core app no longer has the source document. */
  SourceNotFound = 'source_not_found',
  /** The user may no longer read the source or create files next to it. */
  Forbidden = 'forbidden',
  /** The core app did not answer (timeout, 5xx, open circuit); retried with backoff. */
  CoreAppUnavailable = 'core_app_unavailable',
  /** The core app refused the result (name, size, or an answer outside its contract). */
  CoreAppRejected = 'core_app_rejected',
  /** The tenant was deleted or disabled while the job waited. */
  TenantNotFound = 'tenant_not_found',
}

// Only outages are worth another attempt. A document that fails or times out in LibreOffice
// fails the same way again (conversions are deterministic), and a refusal stays a refusal.
const RETRYABLE: Readonly<Record<ConversionErrorCode, boolean>> = {
  [ConversionErrorCode.UnsupportedConversion]: false,
  [ConversionErrorCode.ConverterUnavailable]: true,
  [ConversionErrorCode.ConverterFailed]: false,
  [ConversionErrorCode.Timeout]: false,
  [ConversionErrorCode.InvalidOutput]: false,
  [ConversionErrorCode.TooLarge]: false,
  [ConversionErrorCode.SourceNotFound]: false,
  [ConversionErrorCode.Forbidden]: false,
  [ConversionErrorCode.CoreAppUnavailable]: true,
  [ConversionErrorCode.CoreAppRejected]: false,
  [ConversionErrorCode.TenantNotFound]: false,
};

const CODES = new Set<string>(Object.values(ConversionErrorCode));

/**
 * A conversion failure with its code. The message is `<code>: <detail>`, so the code survives
 * being stored as a BullMQ job's `failedReason` (a plain string) and is read back with
 * `ConversionError.parseFailedReason`.
 */
export class ConversionError extends Error {
  private constructor(
    readonly code: ConversionErrorCode,
    readonly detail: string,
  ) {
    super(`${code}: ${detail}`);
    this.name = 'ConversionError';
  }

  /** True when another attempt may succeed (an outage), false when it would fail the same way. */
  get retryable(): boolean {
    return RETRYABLE[this.code];
  }

  static unsupported(detail: string): ConversionError {
    return new ConversionError(ConversionErrorCode.UnsupportedConversion, detail);
  }

  static converterUnavailable(detail: string): ConversionError {
    return new ConversionError(ConversionErrorCode.ConverterUnavailable, detail);
  }

  static converterFailed(detail: string): ConversionError {
    return new ConversionError(ConversionErrorCode.ConverterFailed, detail);
  }

  static timeout(timeoutMs: number): ConversionError {
    return new ConversionError(
      ConversionErrorCode.Timeout,
      `LibreOffice did not finish within ${timeoutMs} ms; the conversion was stopped`,
    );
  }

  static invalidOutput(detail: string): ConversionError {
    return new ConversionError(ConversionErrorCode.InvalidOutput, detail);
  }

  static tooLarge(detail: string): ConversionError {
    return new ConversionError(ConversionErrorCode.TooLarge, detail);
  }

  static sourceNotFound(): ConversionError {
    return new ConversionError(ConversionErrorCode.SourceNotFound, 'the core app no longer has the source document');
  }

  static forbidden(detail: string): ConversionError {
    return new ConversionError(ConversionErrorCode.Forbidden, detail);
  }

  static coreAppUnavailable(detail: string): ConversionError {
    return new ConversionError(ConversionErrorCode.CoreAppUnavailable, detail);
  }

  static coreAppRejected(detail: string): ConversionError {
    return new ConversionError(ConversionErrorCode.CoreAppRejected, detail);
  }

  static tenantNotFound(): ConversionError {
    return new ConversionError(ConversionErrorCode.TenantNotFound, 'the tenant no longer exists or is disabled');
  }

  /** Code and detail of a failed job's reason, or undefined when it is not a ConversionError's. */
  static parseFailedReason(reason: string | undefined): { code: ConversionErrorCode; detail: string } | undefined {
    const match = reason === undefined ? null : /^([a-z_]+): ([\s\S]*)$/.exec(reason);
    if (!match || !CODES.has(match[1])) return undefined;
    return { code: match[1] as ConversionErrorCode, detail: match[2] };
  }
}
