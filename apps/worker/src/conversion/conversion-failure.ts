import { BlobTooLargeError } from '@wopi/blob-staging';
import { ConversionError } from '@wopi/conversion';
import { CoreAppError, CoreAppErrorKind } from '@wopi/core-app-client';

/**
 * The conversion failure an error stands for, or undefined when it is none of the known kinds
 * (a bug or an infrastructure fault: the job is retried and the full error is logged).
 */
export function asConversionError(error: unknown): ConversionError | undefined {
  if (error instanceof ConversionError) return error;
  if (error instanceof BlobTooLargeError) {
    return ConversionError.tooLarge(`the converted file is larger than the tenant's limit of ${error.maxBytes} bytes`);
  }
  if (!(error instanceof CoreAppError)) return undefined;
  switch (error.kind) {
    case CoreAppErrorKind.NotFound:
      return ConversionError.sourceNotFound();
    case CoreAppErrorKind.Forbidden:
      return ConversionError.forbidden(`the core app refused: ${error.message}`);
    case CoreAppErrorKind.Unavailable:
    case CoreAppErrorKind.CircuitOpen:
      return ConversionError.coreAppUnavailable(error.message);
    case CoreAppErrorKind.TooLarge:
      return ConversionError.tooLarge('the core app does not take a file this large');
    case CoreAppErrorKind.NameConflict:
    case CoreAppErrorKind.VersionMismatch:
    case CoreAppErrorKind.Rejected:
    case CoreAppErrorKind.BadResponse:
      return ConversionError.coreAppRejected(error.message);
  }
}
