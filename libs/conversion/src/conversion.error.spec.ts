import { ConversionError, ConversionErrorCode } from './conversion.error';

describe('ConversionError', () => {
  it('retries outages only: a document that fails in LibreOffice fails again', () => {
    expect(ConversionError.coreAppUnavailable('core app answered 503').retryable).toBe(true);
    expect(ConversionError.converterUnavailable('not installed').retryable).toBe(true);
    expect(ConversionError.converterFailed('LibreOffice crashed (SIGSEGV)').retryable).toBe(false);
    expect(ConversionError.timeout(200).retryable).toBe(false);
    expect(ConversionError.invalidOutput('empty').retryable).toBe(false);
    expect(ConversionError.forbidden('no createSibling').retryable).toBe(false);
  });

  it('keeps code and detail through a BullMQ failedReason string', () => {
    for (const error of [
      ConversionError.timeout(200),
      ConversionError.converterFailed('LibreOffice wrote no output: Error: source file could not be loaded'),
      ConversionError.coreAppRejected('multi\nline: detail'),
    ]) {
      expect(ConversionError.parseFailedReason(error.message)).toEqual({ code: error.code, detail: error.detail });
    }
    expect(ConversionError.timeout(200).message).toBe(
      'timeout: LibreOffice did not finish within 200 ms; the conversion was stopped',
    );
  });

  it('does not mistake other failures for conversion errors', () => {
    expect(ConversionError.parseFailedReason(undefined)).toBeUndefined();
    expect(ConversionError.parseFailedReason("Cannot read properties of undefined (reading 'x')")).toBeUndefined();
    expect(ConversionError.parseFailedReason('job stalled more than allowable limit')).toBeUndefined();
    expect(ConversionError.parseFailedReason('unknown_code: something')).toBeUndefined();
  });

  it('has a retry decision for every code', () => {
    for (const code of Object.values(ConversionErrorCode)) {
      const parsed = ConversionError.parseFailedReason(`${code}: x`);
      expect(parsed?.code).toBe(code);
    }
  });
});
