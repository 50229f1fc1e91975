import type { Readable } from 'node:stream';

export interface StagedBlob {
  /** Where the bytes are: content-addressed, so equal content is stored once. */
  key: string;
  sha256: string;
  sizeBytes: number;
}

/** The staging store's port: local disk for one node, an S3-compatible store for several. */
export interface BlobStore {
  /**
   * Streams `body` into the store while hashing it (through a ContentMeter); resolves once the
   * bytes are durable. Rejects with BlobTooLargeError as soon as more than `maxBytes` arrived, with
   * BlobIncompleteError when the body's length differs from `expectedBytes`, and with the stream's
   * own error when it stops early (an aborted upload). Nothing is kept when it rejects.
   */
  put(body: Readable, options: BlobPutOptions): Promise<StagedBlob>;
  /** The blob's bytes; rejects with BlobNotFoundError (never a stream that fails later) when it is not there. */
  open(key: string): Promise<Readable>;
  /** Size in bytes, or null when the blob is not there. */
  sizeOf(key: string): Promise<number | null>;
  /** When the blob was last stored (a `put` of the same bytes renews it), or null when it is not there. */
  storedAt(key: string): Promise<Date | null>;
  /** Removes the blob; nothing happens when it is not there. Callers go through the file registry's StagedBlobs. */
  delete(key: string): Promise<void>;
  /** Resolves when the store answers and can take blobs (readiness); rejects with the reason otherwise. */
  checkReachable(): Promise<void>;
  /** Keys of blobs stored before `cutoff` (housekeeping decides which are orphans). */
  keysStoredBefore(cutoff: Date): AsyncIterable<string>;
  /**
   * Removes half-written uploads (a crash mid-body) older than `cutoff`; returns how many (on a
   * shared store a sweep running at the same time may count some of the same ones).
   */
  removeAbandonedUploads(cutoff: Date): Promise<number>;
}

export interface BlobPutOptions {
  maxBytes: number;
  /** The length the sender declared (Content-Length); absent for a chunked body. */
  expectedBytes?: number;
}

export const BLOB_STORE = Symbol('BLOB_STORE');

export class BlobTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`body is larger than ${maxBytes} bytes`);
    this.name = 'BlobTooLargeError';
  }
}

/** The body ended with another length than its sender declared: a cut-off or corrupted upload. */
export class BlobIncompleteError extends Error {
  constructor(
    readonly expectedBytes: number,
    readonly receivedBytes: number,
  ) {
    super(`body has ${receivedBytes} bytes where ${expectedBytes} were declared`);
    this.name = 'BlobIncompleteError';
  }
}

/** `open` of a key the store does not hold (never staged, or already released). */
export class BlobNotFoundError extends Error {
  constructor(readonly key: string) {
    super(`no staged blob ${key}`);
    this.name = 'BlobNotFoundError';
  }
}
