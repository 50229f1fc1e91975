import type { CoreAppClient } from '@wopi/core-app-client';
import type { ConvertFileJob, ConvertFileResult } from '@wopi/conversion';
import type { TenantConfig } from '@wopi/tenancy';
import type { JobState, Queue } from 'bullmq';
import { ApiErrorCode } from '../api-errors/api-error';
import { ConversionService } from './conversion.service';

const CONVERSION_ID = 'cv_AAAAAAAAAAAAAAAAAAAAAA';
const data: ConvertFileJob = { tenantId: 't1', sourceRef: 'doc-a', userId: 'alice', targetFormat: 'docx' };
const result: ConvertFileResult = { fileId: 'f_new', name: 'Report.docx' } as ConvertFileResult;
const tenant = { id: 't1' } as TenantConfig;

interface StoredJob {
  state: JobState | 'unknown';
  returnvalue: ConvertFileResult | null;
}

/**
 * A queue whose one job moves on to its next stored form after every read, the way a worker
 * finishing the job between two Redis round trips would look to the API.
 */
function queueThatMovesOn(...timeline: StoredJob[]): Queue<ConvertFileJob, ConvertFileResult> {
  let now = 0;
  const read = (): StoredJob => timeline[Math.min(now++, timeline.length - 1)];
  const jobFrom = (stored: StoredJob) => ({
    data,
    progress: 0,
    returnvalue: stored.returnvalue,
    failedReason: undefined,
    getState: async () => read().state,
  });
  return {
    getJobState: async () => read().state,
    getJob: async () => {
      const stored = read();
      return stored.state === 'unknown' ? undefined : jobFrom(stored);
    },
  } as unknown as Queue<ConvertFileJob, ConvertFileResult>;
}

function serviceOn(queue: Queue<ConvertFileJob, ConvertFileResult>): ConversionService {
  return new ConversionService({} as CoreAppClient, queue, {
    publicBaseUrl: 'https://wopi.example',
    attempts: 3,
    retryDelayMs: 1_000,
  });
}

describe('ConversionService.status', () => {
  it('never reports a job that finishes between its reads as succeeded without the new file', async () => {
    const service = serviceOn(
      queueThatMovesOn({ state: 'active', returnvalue: null }, { state: 'completed', returnvalue: result }),
    );
    const status = await service.status(tenant, CONVERSION_ID);
    // Either answer is honest: still running, or succeeded with the file to open.
    const shown = status.state === 'succeeded' ? status.result?.fileId : status.state;
    expect(['running', 'f_new']).toContain(shown);
  });

  it('gives the new file once the job completed', async () => {
    const service = serviceOn(queueThatMovesOn({ state: 'completed', returnvalue: result }));
    await expect(service.status(tenant, CONVERSION_ID)).resolves.toMatchObject({
      state: 'succeeded',
      result: { fileId: 'f_new', name: 'Report.docx', wopiSrc: 'https://wopi.example/wopi/files/f_new' },
    });
  });

  it('answers not found for a job removed between its reads, for another tenant and for a malformed id', async () => {
    const removed = serviceOn(
      queueThatMovesOn({ state: 'completed', returnvalue: result }, { state: 'unknown', returnvalue: null }),
    );
    await expect(removed.status(tenant, CONVERSION_ID)).rejects.toMatchObject({ code: ApiErrorCode.NotFound });
    const stored = serviceOn(queueThatMovesOn({ state: 'completed', returnvalue: result }));
    await expect(stored.status({ id: 't2' } as TenantConfig, CONVERSION_ID)).rejects.toMatchObject({
      code: ApiErrorCode.NotFound,
    });
    await expect(stored.status(tenant, 'not-a-conversion')).rejects.toMatchObject({ code: ApiErrorCode.NotFound });
  });
});
