import { Injectable, Optional } from '@nestjs/common';
import { type File, Prisma, PrismaService } from '@wopi/db';
import { CacheInvalidationBus, ProcessCache } from '@wopi/redis';
import { mintFileId } from './file-id';

const CACHE_NAME = 'file';
// A file row changes on rename, delete and re-registration, each of which invalidates it everywhere.
const CACHE = { ttlMs: 10 * 60_000, maxEntries: 50_000 };

export interface RegisterFileInput {
  tenantId: string;
  coreRef: string;
  name: string;
  ownerId: string;
}

/** Tenant-scoped file IDs: one stable ID per (tenant, core ref), whoever opens it and from where. */
@Injectable()
export class FileRepository {
  /** Rows of live files by `tenantId:fileId`, for the hot path (every WOPI request reads its file). */
  private readonly cache: ProcessCache<File | null>;

  constructor(
    private readonly prisma: PrismaService,
    @Optional() private readonly invalidations?: CacheInvalidationBus,
  ) {
    this.cache =
      invalidations?.cache<File | null>(CACHE_NAME, CACHE) ?? new ProcessCache<File | null>(CACHE_NAME, CACHE);
  }

  /** Finds or mints the file's ID; the name and owner follow the core app's latest answer. */
  async register(input: RegisterFileInput): Promise<File> {
    const where = { tenantId_coreRef: { tenantId: input.tenantId, coreRef: input.coreRef } };
    let file: File;
    try {
      file = await this.prisma.file.upsert({
        where,
        create: { id: mintFileId(), ...input },
        update: { name: input.name, ownerId: input.ownerId, deletedAt: null },
      });
    } catch (error) {
      // Two first opens of one document race on the insert; the loser reads the winner's row.
      if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002') throw error;
      file = await this.prisma.file.update({ where, data: { name: input.name, ownerId: input.ownerId } });
    }
    await this.changed(file.tenantId, file.id);
    return file;
  }

  async rename(fileId: string, name: string): Promise<void> {
    const file = await this.prisma.file.update({ where: { id: fileId }, data: { name } });
    await this.changed(file.tenantId, fileId);
  }

  async markDeleted(fileId: string): Promise<void> {
    const file = await this.prisma.file.update({ where: { id: fileId }, data: { deletedAt: new Date() } });
    await this.changed(file.tenantId, fileId);
  }

  /** The registered file of a core ref, if any (to find the lock of a sibling before overwriting it). */
  findByCoreRef(tenantId: string, coreRef: string): Promise<File | null> {
    return this.prisma.file.findFirst({ where: { tenantId, coreRef, deletedAt: null } });
  }

  /**
   * A file of this tenant; a file ID of another tenant is not found (never read across tenants).
   * Served from the process cache: name, owner and core ref, which is what callers use; the
   * write-back lease and version counter on the row are read in their own transactions.
   */
  findForTenant(tenantId: string, fileId: string): Promise<File | null> {
    return this.cache.getOrLoad(`${tenantId}:${fileId}`, () =>
      this.prisma.file.findFirst({ where: { id: fileId, tenantId, deletedAt: null } }),
    );
  }

  private async changed(tenantId: string, fileId: string): Promise<void> {
    const key = `${tenantId}:${fileId}`;
    if (this.invalidations) await this.invalidations.invalidate(CACHE_NAME, key);
    else this.cache.evict(key);
  }
}
