import { Injectable } from '@nestjs/common';
import { type File, type FileVersion, PrismaService } from '@wopi/db';
import { LockStore } from '@wopi/lock-store';
import { AuditLogRepository } from '@wopi/tenancy';
import { ApiError } from '../api-errors/api-error';
import { adminAuditEvent } from './admin-audit';
import type { AdminActor } from './admin-scope';
import { type Page, paged } from './page-query.dto';
import { TenantsService } from './tenants.service';

/**
 * What support needs about one file: the row, its versions, its WOPI lock and the saves still
 * waiting for write-back; and the release of a lock a dead editor keeps refreshing, which removes
 * only the lock the operator looked at.
 */
@Injectable()
export class FileSupportService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly tenants: TenantsService,
    private readonly locks: LockStore,
    private readonly audit: AuditLogRepository,
  ) {}

  async findByCoreRef(slug: string, coreRef: string) {
    const tenant = await this.tenants.existing(slug);
    const file = await this.prisma.file.findUnique({ where: { tenantId_coreRef: { tenantId: tenant.id, coreRef } } });
    if (!file) throw ApiError.notFound('No file with that core reference in this tenant');
    return this.describe(tenant.id, file);
  }

  async get(slug: string, fileId: string) {
    const { tenant, file } = await this.fileOf(slug, fileId);
    return this.describe(tenant.id, file);
  }

  async versions(slug: string, fileId: string, page: Page) {
    const { file } = await this.fileOf(slug, fileId);
    const rows = await this.prisma.fileVersion.findMany({
      where: { fileId: file.id, ...(page.after ? { id: { lt: page.after } } : {}) },
      orderBy: { id: 'desc' },
      take: page.limit + 1,
    });
    const { items, nextCursor } = paged(rows, page);
    return { versions: items.map(toVersionView), nextCursor };
  }

  async lock(slug: string, fileId: string) {
    const { tenant, file } = await this.fileOf(slug, fileId);
    const lock = await this.locks.inspect(tenant.id, file.id);
    return { fileId: file.id, name: file.name, locked: lock !== null, lock };
  }

  async releaseLock(slug: string, fileId: string, expectedLockId: string | undefined, by: AdminActor) {
    const { tenant, file } = await this.fileOf(slug, fileId);
    const result = await this.locks.forceUnlock(tenant.id, file.id, expectedLockId);
    if (!result.ok) throw ApiError.conflict('The lock changed: inspect it again', { currentLock: result.currentLock });
    const released = result.released
      ? { lockId: result.released.lockId, holder: result.released.holder.userId, ageMs: result.released.ageMs }
      : null;
    await this.audit.record(
      adminAuditEvent(by, 'lock.released_by_support', `file:${file.id}`, {
        tenantId: tenant.id,
        before: released,
        after: null,
        details: released ?? {},
      }),
    );
    return { fileId: file.id, released: result.released };
  }

  private async describe(tenantId: string, file: File) {
    const [lock, pending] = await Promise.all([
      this.locks.inspect(tenantId, file.id),
      this.prisma.fileVersion.findMany({
        where: { fileId: file.id, writeBackState: 'PENDING' },
        orderBy: { number: 'asc' },
        // Pending saves of one file are few (each one supersedes the last); bounded all the same.
        take: 100,
      }),
    ]);
    return {
      file: {
        id: file.id,
        coreRef: file.coreRef,
        name: file.name,
        currentVersion: file.currentVersion,
        createdAt: file.createdAt.toISOString(),
        updatedAt: file.updatedAt.toISOString(),
        deletedAt: file.deletedAt?.toISOString() ?? null,
        lastConflictAt: file.lastConflictAt?.toISOString() ?? null,
      },
      lock,
      pendingWriteBacks: pending.map(toVersionView),
    };
  }

  private async fileOf(slug: string, fileId: string) {
    const tenant = await this.tenants.existing(slug);
    const file = await this.prisma.file.findFirst({ where: { id: fileId, tenantId: tenant.id } });
    if (!file) throw ApiError.notFound('No such file in this tenant');
    return { tenant, file };
  }
}

function toVersionView(version: FileVersion) {
  return {
    number: version.number,
    origin: version.origin,
    sizeBytes: Number(version.sizeBytes),
    sha256: version.sha256,
    modifiedAt: version.modifiedAt.toISOString(),
    savedBy: version.savedBy,
    editors: version.editors,
    writeBackState: version.writeBackState,
    writeBackError: version.writeBackError,
    confirmedAt: version.confirmedAt?.toISOString() ?? null,
  };
}
