import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { metrics } from '@opentelemetry/api';
import { BLOB_STORE, type BlobStore } from '@wopi/blob-staging';
import {
  ConversionError,
  ConversionStage,
  CONVERTER,
  convertedFileName,
  type ConvertFileJob,
  type ConvertFileResult,
  type Converter,
  createWorkDir,
  formatOfFileName,
  planConversion,
  progressAt,
  type StagedConversion,
} from '@wopi/conversion';
import { CoreAppClient, type CoreAppTarget, type CoreFile } from '@wopi/core-app-client';
import { CreatedFileRegistrar, StagedBlobs } from '@wopi/file-registry';
import { TenantRepository } from '@wopi/tenancy';
import { type Job, UnrecoverableError } from 'bullmq';
import { asConversionError } from './conversion-failure';

export const CONVERSION_WORKER_SETTINGS = Symbol('CONVERSION_WORKER_SETTINGS');

export interface ConversionWorkerSettings {
  /** Longest one LibreOffice run may take. */
  timeoutMs: number;
  /** Parent of the jobs' working folders (download and result). */
  tempDir: string;
  /** Conversions one worker runs at once. */
  concurrency: number;
}

const meter = metrics.getMeter('wopi-gateway');
const outcomes = meter.createCounter('wopi.conversion.outcomes', {
  description: 'Conversion job attempts by outcome (succeeded or the failure code), target format and tenant',
});
const duration = meter.createHistogram('wopi.conversion.duration', {
  description: 'One conversion job attempt, download to registration',
  unit: 'ms',
});

/**
 * Runs one conversion job: source from the core app to a private temp folder, LibreOffice,
 * result staged (hashed, durable), written next to the source as a new file, registered with
 * its own file ID and first version.
 *
 * Core-app outages are thrown as they are, so BullMQ retries them with backoff; every other
 * failure (a document LibreOffice cannot convert, a timeout, a refusal) fails the job at once.
 * The staged result survives a retry: the next attempt uploads the same bytes under the same
 * idempotency key instead of converting again.
 */
@Injectable()
export class ConversionService {
  private readonly logger = new Logger(ConversionService.name);

  constructor(
    private readonly tenants: TenantRepository,
    private readonly coreApps: CoreAppClient,
    private readonly createdFiles: CreatedFileRegistrar,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
    private readonly stagedBlobs: StagedBlobs,
    @Inject(CONVERTER) private readonly converter: Converter,
    @Inject(CONVERSION_WORKER_SETTINGS) private readonly settings: ConversionWorkerSettings,
  ) {}

  async run(job: Job<ConvertFileJob, ConvertFileResult>): Promise<ConvertFileResult> {
    const started = Date.now();
    const { tenantId, targetFormat } = job.data;
    try {
      const result = await this.convert(job);
      outcomes.add(1, { outcome: 'succeeded', target: targetFormat, tenant: tenantId });
      this.logger.log(
        { tenantId, conversionId: job.id, fileId: result.fileId, targetFormat, ms: Date.now() - started },
        'conversion stored next to its source',
      );
      return result;
    } catch (error) {
      throw await this.failed(job, error);
    } finally {
      duration.record(Date.now() - started, { target: targetFormat, tenant: tenantId });
    }
  }

  private async convert(job: Job<ConvertFileJob, ConvertFileResult>): Promise<ConvertFileResult> {
    const { tenantId, sourceRef, userId, targetFormat } = job.data;
    const tenant = await this.tenants.findById(tenantId);
    if (!tenant) throw ConversionError.tenantNotFound();
    const target: CoreAppTarget = { tenantId, ...tenant.coreApp };
    const maxBytes = Number(tenant.maxFileBytes);

    // Asked on every attempt: the result is created in the user's name, with their rights now.
    const source = await this.coreApps.getFile(target, sourceRef, userId, { fresh: true });
    if (!source.permissions.read) throw ConversionError.forbidden('the user may no longer read the source');
    if (!source.permissions.createSibling) {
      throw ConversionError.forbidden('the user may no longer create files next to the source');
    }
    const staged = (await this.stagedEarlier(job.data)) ?? (await this.convertAndStage(job, target, source, maxBytes));

    await job.updateProgress(progressAt(ConversionStage.Uploading));
    const created = await this.coreApps.createSibling(target, source.ref, userId, {
      // Named after the source as it is called now; the core app picks a free name if it is taken.
      name: convertedFileName(source.name, targetFormat),
      onConflict: 'rename',
      body: { open: () => this.blobs.open(staged.blobKey), sizeBytes: staged.sizeBytes, sha256: staged.sha256 },
      idempotencyKey: `conversion:${job.id}`,
    });

    await job.updateProgress(progressAt(ConversionStage.Registering));
    const file = await this.createdFiles.register(tenantId, created, staged.sha256);
    await this.stagedBlobs.release([staged.blobKey]);
    return {
      fileId: file.id,
      coreRef: created.ref,
      name: created.name,
      sizeBytes: staged.sizeBytes,
      sha256: staged.sha256,
    };
  }

  /** Download, convert and stage, in a working folder that is gone afterwards whatever happens. */
  private async convertAndStage(
    job: Job<ConvertFileJob, ConvertFileResult>,
    target: CoreAppTarget,
    source: CoreFile,
    maxBytes: number,
  ): Promise<StagedConversion> {
    const { userId, targetFormat } = job.data;
    // Before any download: the source may have been renamed to a type that does not convert.
    const { inputFormat } = planConversion(formatOfFileName(source.name), targetFormat);
    if (source.size > maxBytes) throw sourceTooLarge(maxBytes);

    const dir = await createWorkDir(this.settings.tempDir);
    try {
      await job.updateProgress(progressAt(ConversionStage.Downloading));
      const inputPath = path.join(dir, `source.${inputFormat}`);
      const download = await this.coreApps.getContent(target, source.ref, userId);
      await pipeline(download.stream, atMostBytes(maxBytes), createWriteStream(inputPath, { flags: 'wx' }));

      await job.updateProgress(progressAt(ConversionStage.Converting));
      const outputPath = path.join(dir, `result.${targetFormat}`);
      await this.converter.convert({
        inputPath,
        inputFormat,
        outputFormat: targetFormat,
        outputPath,
        timeoutMs: this.settings.timeoutMs,
      });

      // The converter's whole output, checked against its size on disk as a WOPI upload is.
      const { size: outputBytes } = await stat(outputPath);
      const blob = await this.blobs.put(createReadStream(outputPath), { maxBytes, expectedBytes: outputBytes });
      const staged = { blobKey: blob.key, sha256: blob.sha256, sizeBytes: blob.sizeBytes };
      await job.updateData({ ...job.data, staged });
      return staged;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** The result an earlier attempt staged, if this node still has it (staging is per node). */
  private async stagedEarlier(data: ConvertFileJob): Promise<StagedConversion | undefined> {
    if (!data.staged) return undefined;
    let stream: Readable | undefined;
    try {
      // A blob staged on another node is missing here: open() rejects and the job converts again.
      stream = await this.blobs.open(data.staged.blobKey);
      await once(stream, 'readable');
      return data.staged;
    } catch {
      return undefined;
    } finally {
      stream?.destroy();
    }
  }

  /**
   * The error BullMQ gets: an outage as it is (retried with backoff), anything else the job
   * cannot recover from as UnrecoverableError (failed at once). The staged result is dropped
   * when no attempt will follow.
   */
  private async failed(job: Job<ConvertFileJob, ConvertFileResult>, error: unknown): Promise<unknown> {
    const failure = asConversionError(error);
    const retryable = failure === undefined || failure.retryable;
    const lastAttempt = !retryable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    if (lastAttempt && job.data.staged)
      await this.stagedBlobs.release([job.data.staged.blobKey]).catch(() => undefined);
    const context = { tenantId: job.data.tenantId, conversionId: job.id, attempt: job.attemptsMade + 1 };
    outcomes.add(1, { outcome: failure?.code ?? 'internal', target: job.data.targetFormat, tenant: job.data.tenantId });
    if (!failure) {
      this.logger.error({ ...context, err: error }, 'conversion failed unexpectedly');
      return error;
    }
    this.logger.warn({ ...context, code: failure.code, reason: failure.detail, retryable }, 'conversion failed');
    return retryable ? failure : new UnrecoverableError(failure.message);
  }
}

function sourceTooLarge(maxBytes: number): ConversionError {
  return ConversionError.tooLarge(`the source is larger than the tenant's limit of ${maxBytes} bytes`);
}

/** A pipeline step that fails once more than `maxBytes` passed (a core app may send more than it said). */
function atMostBytes(maxBytes: number) {
  return async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    let total = 0;
    for await (const chunk of source) {
      total += chunk.length;
      if (total > maxBytes) throw sourceTooLarge(maxBytes);
      yield chunk;
    }
  };
}
