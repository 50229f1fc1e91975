import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { BlobNotFoundError, type BlobPutOptions, type BlobStore, type StagedBlob } from './blob-store.port';
import { ContentMeter } from './content-meter';

const KEY_PATTERN = /^[0-9a-f]{64}$/;
const MIB = 1024 * 1024;

export interface S3BlobStoreOptions {
  /** An S3-compatible endpoint (MinIO, Ceph RGW, ...); AWS's own when absent. */
  endpoint?: string;
  region: string;
  bucket: string;
  /** Key prefix of everything this store writes, so one bucket can serve several deployments. */
  prefix: string;
  /** Static credentials; when absent the SDK's default chain (environment, instance role, ...) applies. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Path-style URLs (`endpoint/bucket/key`), which most self-hosted S3 servers need. */
  forcePathStyle: boolean;
  /** Bytes per multipart part (S3's minimum is 5 MiB); with `queueSize` it bounds the memory of one upload. */
  partSizeBytes?: number;
  /** Parts uploaded at once per body. */
  queueSize?: number;
}

/**
 * Staging in an S3-compatible bucket, shared by every node. S3 has no rename and no fsync, so a
 * body is streamed (multipart, a bounded number of parts in memory) to a temporary key while the
 * ContentMeter hashes it; only once it is complete and its SHA-256 known is it copied to
 * `blobs/<sha256>` (a copy is atomic: the final key holds the whole blob or nothing) and the
 * temporary key deleted. A failed, aborted or refused body aborts its multipart upload; a crash
 * leaves at most a temporary key or an unfinished multipart upload, which `removeAbandonedUploads`
 * clears, never a half-written blob at a final key.
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly partSizeBytes: number;
  private readonly queueSize: number;

  constructor(private readonly options: S3BlobStoreOptions) {
    this.client = new S3Client({
      endpoint: options.endpoint,
      region: options.region,
      credentials: options.credentials,
      forcePathStyle: options.forcePathStyle,
      // The SHA-256 is ours (ContentMeter); the SDK's default extra CRC trailers (aws-chunked
      // bodies) are not understood by every S3-compatible server, so checksums only where required.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    this.partSizeBytes = options.partSizeBytes ?? 8 * MIB;
    this.queueSize = options.queueSize ?? 2;
  }

  async put(body: Readable, options: BlobPutOptions): Promise<StagedBlob> {
    const tmpKey = `${this.options.prefix}tmp/${randomUUID()}`;
    const meter = new ContentMeter(options);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.options.bucket, Key: tmpKey, Body: meter },
      partSize: this.partSizeBytes,
      queueSize: this.queueSize,
      // On any failure lib-storage aborts the multipart upload, so no parts stay billed and hidden.
      leavePartsOnError: false,
    });
    const [streamed, uploaded] = await Promise.allSettled([pipeline(body, meter), upload.done()]);
    try {
      // The body's own failure (cut off, too large, wrong length) explains more than the upload's,
      // which only saw its source stop; a body cut because the upload failed says only that it was cut.
      if (streamed.status === 'rejected' && !isCutByConsumer(streamed.reason)) throw streamed.reason;
      if (uploaded.status === 'rejected') throw uploaded.reason;
      if (streamed.status === 'rejected') throw streamed.reason;
      const { sha256, sizeBytes } = meter.result();
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.options.bucket,
          CopySource: `${this.options.bucket}/${encodeURIComponent(tmpKey).replace(/%2F/g, '/')}`,
          Key: this.objectKey(sha256),
        }),
      );
      return { key: sha256, sha256, sizeBytes };
    } finally {
      // Deleting a key that was never created is no error in S3. A failed delete must not hide
      // the put's own outcome: the temporary key is then removed by the staging sweep.
      await this.client
        .send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: tmpKey }))
        .catch(() => undefined);
    }
  }

  async open(key: string): Promise<Readable> {
    try {
      const { Body } = await this.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }),
      );
      return Body as Readable;
    } catch (error) {
      if (isNotFound(error)) throw new BlobNotFoundError(key);
      throw error;
    }
  }

  async sizeOf(key: string): Promise<number | null> {
    return (await this.head(key))?.ContentLength ?? null;
  }

  async storedAt(key: string): Promise<Date | null> {
    return (await this.head(key))?.LastModified ?? null;
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }));
  }

  async checkReachable(): Promise<void> {
    await this.client.send(new HeadBucketCommand({ Bucket: this.options.bucket }));
  }

  async *keysStoredBefore(cutoff: Date): AsyncIterable<string> {
    const prefix = `${this.options.prefix}blobs/`;
    for await (const object of this.objectsUnder(prefix)) {
      const key = object.key.slice(prefix.length);
      if (KEY_PATTERN.test(key) && object.lastModified < cutoff) yield key;
    }
  }

  async removeAbandonedUploads(cutoff: Date): Promise<number> {
    const prefix = `${this.options.prefix}tmp/`;
    let removed = 0;
    // Multipart uploads a crashed node never completed nor aborted (their parts are invisible
    // but stored): another node's sweep may abort the same one at the same time, hence NoSuchUpload is fine.
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    do {
      const page = await this.client.send(
        new ListMultipartUploadsCommand({
          Bucket: this.options.bucket,
          Prefix: prefix,
          KeyMarker: keyMarker,
          UploadIdMarker: uploadIdMarker,
        }),
      );
      for (const upload of page.Uploads ?? []) {
        if (!upload.Key || !upload.UploadId || !upload.Initiated || upload.Initiated >= cutoff) continue;
        const aborted = await this.client
          .send(
            new AbortMultipartUploadCommand({
              Bucket: this.options.bucket,
              Key: upload.Key,
              UploadId: upload.UploadId,
            }),
          )
          .then(
            () => true,
            (error: unknown) => {
              if (isNotFound(error)) return false;
              throw error;
            },
          );
        if (aborted) removed++;
      }
      [keyMarker, uploadIdMarker] = page.IsTruncated ? [page.NextKeyMarker, page.NextUploadIdMarker] : [];
    } while (keyMarker);
    // Completed temporary objects whose copy to the final key never happened (a crash in between).
    for await (const object of this.objectsUnder(prefix)) {
      if (object.lastModified >= cutoff) continue;
      await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: object.key }));
      removed++;
    }
    return removed;
  }

  private async *objectsUnder(prefix: string): AsyncIterable<{ key: string; lastModified: Date }> {
    let continuationToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.options.bucket, Prefix: prefix, ContinuationToken: continuationToken }),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key && object.LastModified) yield { key: object.Key, lastModified: object.LastModified };
      }
      continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
  }

  private async head(key: string) {
    try {
      return await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: this.objectKey(key) }));
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  private objectKey(key: string): string {
    if (!KEY_PATTERN.test(key)) throw new Error(`not a blob key: ${key}`);
    return `${this.options.prefix}blobs/${key}`;
  }
}

function isNotFound(error: unknown): boolean {
  return (
    error instanceof S3ServiceException &&
    (error.$metadata.httpStatusCode === 404 || ['NoSuchKey', 'NotFound', 'NoSuchUpload'].includes(error.name))
  );
}

/** How a pipeline ends when the upload stopped reading the body (it failed first). */
function isCutByConsumer(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ABORT_ERR';
}
