import { Inject, Injectable } from '@nestjs/common';
import { BLOB_STORE, type BlobStore } from '@wopi/blob-staging';
import { Prisma, PrismaService, type WriteBackState } from '@wopi/db';

/** Versions whose bytes exist only in staging: waiting for write-back, or held for an operator. */
const KEEPS_BLOB: WriteBackState[] = ['PENDING', 'HELD'];

/** Namespaces the advisory-lock keys, so they cannot meet another use of pg_advisory_lock. */
const lockName = (key: string) => `wopi-staged-blob:${key}`;

/**
 * Holds a staged blob for the transaction that records a save of it: a shared advisory lock that
 * keeps `release` from deleting the blob until that transaction ends. An SQL expression, so the
 * save takes it in the same statement as other work; `assertStillStaged` must follow it.
 */
export function holdForSaveSql(key: string): Prisma.Sql {
  return Prisma.sql`pg_advisory_xact_lock_shared(hashtextextended(${lockName(key)}, 0))`;
}

/** A save's blob was released between staging and recording: nothing was recorded, the save must be retried. */
export class StagedBlobGoneError extends Error {
  constructor(readonly key: string) {
    super(`staged blob ${key} was removed before its save was recorded`);
    this.name = 'StagedBlobGoneError';
  }
}

/**
 * Staged blobs are content-addressed: one blob may stand for several saves (of any file), and a
 * save may be staging the very bytes another one is about to let go of. So every deletion goes
 * through `release`, which under an exclusive PostgreSQL advisory lock on the key deletes the blob
 * only when no waiting (PENDING) or held (HELD) version refers to it; a save takes the same lock, shared, while
 * it records its version and checks that its blob is still there. A recorded save therefore never
 * loses its bytes, and the one race left (a release between a save's staging and its recording)
 * refuses the save instead of recording a version without content.
 */
@Injectable()
export class StagedBlobs {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  /**
   * Deletes those of `keys` that no waiting save needs (any other holder is done with them) and
   * returns the ones it deleted. With `storedBefore` (housekeeping) a blob is also kept when it was
   * stored again since: a sweep's listing may be minutes old, and on a store shared by several
   * nodes a PutFile of the same bytes may have staged it a moment ago without being recorded yet.
   */
  async release(keys: Iterable<string>, options: { storedBefore?: Date } = {}): Promise<string[]> {
    const deleted: string[] = [];
    for (const key of new Set(keys)) {
      await this.prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${lockName(key)}, 0))`;
        const needed = await tx.fileVersion.count({ where: { blobKey: key, writeBackState: { in: KEEPS_BLOB } } });
        if (needed > 0) return;
        if (options.storedBefore) {
          // Checked under the lock; a second sweep that finds the blob already gone skips it too.
          const storedAt = await this.blobs.storedAt(key);
          if (storedAt === null || storedAt >= options.storedBefore) return;
        }
        // Deleted while the lock is held: a save of the same bytes waits, then finds the blob gone.
        await this.blobs.delete(key);
        deleted.push(key);
      });
    }
    return deleted;
  }

  /**
   * After `holdForSaveSql(key)` in the transaction that records a save of `key`: the blob must still
   * be there now that its lock is held (StagedBlobGoneError, nothing recorded, otherwise).
   */
  async assertStillStaged(key: string): Promise<void> {
    if ((await this.blobs.sizeOf(key)) === null) throw new StagedBlobGoneError(key);
  }
}
