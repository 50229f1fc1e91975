import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, constants, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobNotFoundError, type BlobPutOptions, type BlobStore, type StagedBlob } from './blob-store.port';
import { ContentMeter } from './content-meter';

const KEY_PATTERN = /^[0-9a-f]{64}$/;

/**
 * Staging on local disk (one node; shared volumes or S3 for many). A blob is written to a temp
 * file, fsync'd, then renamed to its SHA-256, and the directory is fsync'd: a crash leaves either
 * the whole blob or a temp file that is never read, never a half-written blob.
 */
export class LocalDiskBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  async put(body: Readable, options: BlobPutOptions): Promise<StagedBlob> {
    const tmpPath = path.join(this.root, 'tmp', randomUUID());
    const meter = new ContentMeter(options);
    // The folders exist after the first save: made when missing (ENOENT) rather than on every save.
    const handle = await ensuringFolder(tmpPath, () => open(tmpPath, 'wx'));
    try {
      // The stream owns the handle: `flush` fsyncs it before closing it, and the pipeline settles
      // only once that is done, so the blob is durable before it gets its name.
      await pipeline(body, meter, createWriteStream('', { fd: handle, flush: true }));
      const { sha256, sizeBytes } = meter.result();
      const finalPath = this.pathOf(sha256);
      await ensuringFolder(finalPath, () => rename(tmpPath, finalPath));
      await fsync(path.dirname(finalPath));
      return { key: sha256, sha256, sizeBytes };
    } catch (error) {
      await rm(tmpPath, { force: true });
      throw error;
    }
  }

  async open(key: string): Promise<Readable> {
    // Open first, so a missing blob is a rejected promise here rather than an 'error' event on
    // a stream that someone is already piping.
    const handle = await open(this.pathOf(key), 'r').catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? new BlobNotFoundError(key) : error;
    });
    return handle.createReadStream();
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async checkReachable(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await access(this.root, constants.W_OK);
  }

  async *keysStoredBefore(cutoff: Date): AsyncIterable<string> {
    const shards = await readdir(path.join(this.root, 'blobs')).catch(() => [] as string[]);
    for (const shard of shards) {
      for (const key of await readdir(path.join(this.root, 'blobs', shard)).catch(() => [] as string[])) {
        if (!KEY_PATTERN.test(key)) continue;
        const stored = await stat(this.pathOf(key)).catch(() => null);
        if (stored && stored.mtime < cutoff) yield key;
      }
    }
  }

  async removeAbandonedUploads(cutoff: Date): Promise<number> {
    const tmpDir = path.join(this.root, 'tmp');
    let removed = 0;
    for (const name of await readdir(tmpDir).catch(() => [] as string[])) {
      const file = path.join(tmpDir, name);
      const info = await stat(file).catch(() => null);
      if (info && info.mtime < cutoff) {
        await rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }

  /** Size of a stored blob, or null when it is not there. */
  async sizeOf(key: string): Promise<number | null> {
    return stat(this.pathOf(key)).then(
      (s) => s.size,
      () => null,
    );
  }

  async storedAt(key: string): Promise<Date | null> {
    return stat(this.pathOf(key)).then(
      (s) => s.mtime,
      () => null,
    );
  }

  private pathOf(key: string): string {
    if (!KEY_PATTERN.test(key)) throw new Error(`not a blob key: ${key}`);
    return path.join(this.root, 'blobs', key.slice(0, 2), key);
  }
}

/** Runs `work` on a path, making the path's folder first if `work` finds it missing. */
async function ensuringFolder<T>(file: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await mkdir(path.dirname(file), { recursive: true });
    return work();
  }
}

async function fsync(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
