import { randomBytes } from 'node:crypto';
import type { TargetFormat } from './document-formats';

/** Payload of a `JobName.ConvertFile` job: enqueued by the session API, run by the worker. */
export interface ConvertFileJob {
  tenantId: string;
  /** The core app's reference of the source document. */
  sourceRef: string;
  /** The core app's user it runs for: reads the source, creates the result next to it. */
  userId: string;
  targetFormat: TargetFormat;
  /**
   * Set by the worker once the result is staged. An attempt after a core-app outage uploads
   * these bytes again instead of converting anew: LibreOffice output differs from run to run
   * (timestamps), and only the same bytes make the core app's idempotent replay match.
   */
  staged?: StagedConversion;
  /** Trace context of the request that asked for it (W3C headers): the job joins that trace. */
  trace?: Record<string, string>;
}

export interface StagedConversion {
  blobKey: string;
  sha256: string;
  sizeBytes: number;
}

/** Return value of a succeeded job. */
export interface ConvertFileResult {
  /** The gateway's file ID of the new document. */
  fileId: string;
  coreRef: string;
  /** Its name in the core app (may differ from the asked one when that was taken). */
  name: string;
  sizeBytes: number;
  sha256: string;
}

export enum ConversionStage {
  Downloading = 'downloading',
  Converting = 'converting',
  Uploading = 'uploading',
  Registering = 'registering',
}

/** A job's progress, as stored in BullMQ and shown by the session API. */
export interface ConversionProgress {
  stage: ConversionStage;
  percent: number;
}

// Rough shares of a job's time: LibreOffice dominates, the transfers are streamed.
const PERCENT_AT_START: Readonly<Record<ConversionStage, number>> = {
  [ConversionStage.Downloading]: 5,
  [ConversionStage.Converting]: 20,
  [ConversionStage.Uploading]: 80,
  [ConversionStage.Registering]: 95,
};

/** The progress to report when a job enters `stage`. */
export function progressAt(stage: ConversionStage): ConversionProgress {
  return { stage, percent: PERCENT_AT_START[stage] };
}

/** Conversion IDs are BullMQ job IDs: `cv_` and 128 random bits, so they cannot be guessed. */
export const CONVERSION_ID_PATTERN = /^cv_[A-Za-z0-9_-]{22}$/;

/** A new conversion ID (the BullMQ job ID of the conversion). */
export function newConversionId(): string {
  return `cv_${randomBytes(16).toString('base64url')}`;
}
