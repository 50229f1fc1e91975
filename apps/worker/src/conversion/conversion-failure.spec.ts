import { BlobTooLargeError } from '@wopi/blob-staging';
import { ConversionError, ConversionErrorCode } from '@wopi/conversion';
import { CoreAppError, CoreAppErrorKind } from '@wopi/core-app-client';
import { asConversionError } from './conversion-failure';

describe('asConversionError', () => {
  it('retries core-app outages and nothing else the core app answers', () => {
    const expected: Record<CoreAppErrorKind, [ConversionErrorCode, boolean]> = {
      [CoreAppErrorKind.NotFound]: [ConversionErrorCode.SourceNotFound, false],
      [CoreAppErrorKind.Forbidden]: [ConversionErrorCode.Forbidden, false],
      [CoreAppErrorKind.NameConflict]: [ConversionErrorCode.CoreAppRejected, false],
      [CoreAppErrorKind.VersionMismatch]: [ConversionErrorCode.CoreAppRejected, false],
      [CoreAppErrorKind.Rejected]: [ConversionErrorCode.CoreAppRejected, false],
      [CoreAppErrorKind.TooLarge]: [ConversionErrorCode.TooLarge, false],
      [CoreAppErrorKind.Unavailable]: [ConversionErrorCode.CoreAppUnavailable, true],
      [CoreAppErrorKind.CircuitOpen]: [ConversionErrorCode.CoreAppUnavailable, true],
      [CoreAppErrorKind.BadResponse]: [ConversionErrorCode.CoreAppRejected, false],
    };
    for (const kind of Object.values(CoreAppErrorKind)) {
      const failure = asConversionError(new CoreAppError(kind, `core app answered (${kind})`));
      expect([failure?.code, failure?.retryable]).toEqual(expected[kind]);
    }
  });

  it('keeps the detail of an outage for the job record', () => {
    const failure = asConversionError(new CoreAppError(CoreAppErrorKind.Unavailable, 'core app answered 503'));
    expect(failure?.message).toBe('core_app_unavailable: core app answered 503');
  });

  it('passes conversion errors through and names a result over the size limit', () => {
    const timeout = ConversionError.timeout(100);
    expect(asConversionError(timeout)).toBe(timeout);
    expect(asConversionError(new BlobTooLargeError(1000))?.message).toBe(
      "too_large: the converted file is larger than the tenant's limit of 1000 bytes",
    );
  });

  it('leaves anything else alone: it is retried and logged in full', () => {
    expect(asConversionError(new TypeError("Cannot read properties of undefined (reading 'ref')"))).toBeUndefined();
  });
});
