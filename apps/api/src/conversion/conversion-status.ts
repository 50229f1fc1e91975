import {
  ConversionError,
  type ConversionProgress,
  type ConvertFileJob,
  type ConvertFileResult,
  type TargetFormat,
} from '@wopi/conversion';
import type { JobState } from 'bullmq';

export type ConversionState = 'queued' | 'running' | 'succeeded' | 'failed';

/** `GET /api/v1/conversions/:id`. */
export interface ConversionStatus {
  conversionId: string;
  state: ConversionState;
  targetFormat: TargetFormat;
  /** While running: the stage and a rough percentage. */
  progress?: ConversionProgress;
  /** Once succeeded: the new file, ready to open with a session. */
  result?: { fileId: string; name: string; wopiSrc: string };
  /** Once failed: the failure code (see ConversionErrorCode) and a reason for people. */
  error?: { code: string; message: string };
}

/** What is read of a BullMQ job to report its state. */
export interface ConversionJobSnapshot {
  id: string;
  state: JobState;
  data: ConvertFileJob;
  progress: unknown;
  returnvalue: ConvertFileResult | null | undefined;
  failedReason: string | undefined;
}

const STATE: Readonly<Record<ConversionJobSnapshot['state'], ConversionState>> = {
  waiting: 'queued',
  prioritized: 'queued',
  // Waiting for the next attempt after a core-app outage.
  delayed: 'queued',
  'waiting-children': 'queued',
  active: 'running',
  completed: 'succeeded',
  failed: 'failed',
};

// What a job failed for when it was no ConversionError (a bug, a worker that died twice
// mid-job): the details are in the worker's log, not for the core app.
const INTERNAL_ERROR = { code: 'internal', message: 'the conversion failed unexpectedly; the gateway logs say why' };

/** A job as the session API shows it. */
export function toConversionStatus(job: ConversionJobSnapshot, publicBaseUrl: string): ConversionStatus {
  const state = STATE[job.state];
  const status: ConversionStatus = { conversionId: job.id, state, targetFormat: job.data.targetFormat };
  if (state === 'running' && isProgress(job.progress)) status.progress = job.progress;
  if (state === 'succeeded' && job.returnvalue) {
    const { fileId, name } = job.returnvalue;
    status.result = { fileId, name, wopiSrc: `${publicBaseUrl}/wopi/files/${fileId}` };
  }
  if (state === 'failed') {
    const failure = ConversionError.parseFailedReason(job.failedReason);
    status.error = failure ? { code: failure.code, message: failure.detail } : INTERNAL_ERROR;
  }
  return status;
}

function isProgress(value: unknown): value is ConversionProgress {
  return typeof value === 'object' && value !== null && 'stage' in value && 'percent' in value;
}
