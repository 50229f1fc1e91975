import { ConversionError, ConversionStage, type ConvertFileJob, progressAt } from '@wopi/conversion';
import { type ConversionJobSnapshot, toConversionStatus } from './conversion-status';

const data: ConvertFileJob = { tenantId: 't1', sourceRef: 'doc-a', userId: 'alice', targetFormat: 'docx' };

function snapshot(overrides: Partial<ConversionJobSnapshot>): ConversionJobSnapshot {
  return {
    id: 'cv_AAAAAAAAAAAAAAAAAAAAAA',
    state: 'waiting',
    data,
    progress: 0,
    returnvalue: undefined,
    failedReason: undefined,
    ...overrides,
  };
}

describe('toConversionStatus', () => {
  const base = 'https://wopi.example';

  it('is queued while waiting, also between attempts after a core-app outage', () => {
    for (const state of ['waiting', 'prioritized', 'delayed', 'waiting-children'] as const) {
      expect(toConversionStatus(snapshot({ state, failedReason: 'core_app_unavailable: 503' }), base)).toEqual({
        conversionId: 'cv_AAAAAAAAAAAAAAAAAAAAAA',
        state: 'queued',
        targetFormat: 'docx',
      });
    }
  });

  it('shows the stage while running', () => {
    const progress = progressAt(ConversionStage.Converting);
    expect(toConversionStatus(snapshot({ state: 'active', progress }), base)).toMatchObject({
      state: 'running',
      progress: { stage: 'converting', percent: progress.percent },
    });
    expect(toConversionStatus(snapshot({ state: 'active', progress: 0 }), base).progress).toBeUndefined();
  });

  it('gives the new file with its WOPISrc once succeeded', () => {
    const returnvalue = { fileId: 'F1', coreRef: 'doc-b', name: 'Report.docx', sizeBytes: 10, sha256: 'ab' };
    expect(toConversionStatus(snapshot({ state: 'completed', returnvalue }), base)).toEqual({
      conversionId: 'cv_AAAAAAAAAAAAAAAAAAAAAA',
      state: 'succeeded',
      targetFormat: 'docx',
      result: { fileId: 'F1', name: 'Report.docx', wopiSrc: 'https://wopi.example/wopi/files/F1' },
    });
  });

  it('gives the failure code and reason, and hides reasons that are not conversion errors', () => {
    const timeout = ConversionError.timeout(100);
    expect(toConversionStatus(snapshot({ state: 'failed', failedReason: timeout.message }), base).error).toEqual({
      code: 'timeout',
      message: 'LibreOffice did not finish within 100 ms; the conversion was stopped',
    });
    expect(
      toConversionStatus(snapshot({ state: 'failed', failedReason: 'job stalled more than allowable limit' }), base)
        .error,
    ).toEqual({ code: 'internal', message: 'the conversion failed unexpectedly; the gateway logs say why' });
  });
});
