import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { BlobIncompleteError, BlobTooLargeError } from './blob-store.port';

/** What a ContentMeter measured once its stream ended. */
export interface MeteredContent {
  sha256: string;
  sizeBytes: number;
}

/**
 * The pass-through every adapter puts between a body and its storage: it counts and hashes the
 * bytes as they stream, fails as soon as more than `maxBytes` arrived, and fails at the end when
 * the body is shorter or longer than `expectedBytes` (the request's Content-Length). A stream
 * that stops early (client gone, proxy cut) never reaches the end, so it fails in the pipeline;
 * the length check catches what a transport may pass on as a clean end.
 */
export class ContentMeter extends Transform {
  private readonly hash = createHash('sha256');
  private sizeBytes = 0;
  private measured: MeteredContent | undefined;

  constructor(private readonly limits: { maxBytes: number; expectedBytes?: number }) {
    super();
  }

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null, data?: Buffer) => void,
  ) {
    this.sizeBytes += chunk.length;
    if (this.sizeBytes > this.limits.maxBytes) return callback(new BlobTooLargeError(this.limits.maxBytes));
    const { expectedBytes } = this.limits;
    if (expectedBytes !== undefined && this.sizeBytes > expectedBytes) {
      return callback(new BlobIncompleteError(expectedBytes, this.sizeBytes));
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: (error?: Error | null) => void) {
    const { expectedBytes } = this.limits;
    if (expectedBytes !== undefined && this.sizeBytes !== expectedBytes) {
      return callback(new BlobIncompleteError(expectedBytes, this.sizeBytes));
    }
    this.measured = { sha256: this.hash.digest('hex'), sizeBytes: this.sizeBytes };
    callback();
  }

  /** The size and SHA-256 of the whole body; throws if the stream has not ended cleanly. */
  result(): MeteredContent {
    if (!this.measured) throw new Error('the metered stream has not ended');
    return this.measured;
  }
}
