import { createHash } from 'node:crypto';
import { Readable, Transform, TransformCallback, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DemoCoreError } from '../demo-core.error';

/**
 * A pass-through that counts bytes and hashes them on the way, and fails the stream as soon
 * as it exceeds `maxBytes`: a custom body parser bypasses Fastify's bodyLimit, so this is
 * what bounds an upload, without ever holding more than one chunk.
 */
export class ContentMeter extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  get size(): number {
    return this.bytes;
  }

  /** Hex SHA-256 of everything that passed; valid once the stream has finished. */
  digest(): string {
    return this.hash.copy().digest('hex');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(DemoCoreError.payloadTooLarge(this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }
}

/** Reads `body` to the end only to learn its size and SHA-256 (e.g. to verify a replay). */
export async function measureContent(body: Readable, maxBytes: number): Promise<{ size: number; sha256: string }> {
  const meter = new ContentMeter(maxBytes);
  const discard = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  await pipeline(body, meter, discard);
  return { size: meter.size, sha256: meter.digest() };
}
