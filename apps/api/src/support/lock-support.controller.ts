import { Controller, Delete, Get, HttpCode, Param, Query, Req, UseGuards } from '@nestjs/common';
import { FileRepository } from '@wopi/file-registry';
import { LockStore } from '@wopi/lock-store';
import { AuditLogRepository, TenantRepository } from '@wopi/tenancy';
import { ApiError } from '../api-errors/api-error';
import { AdminApiKeyGuard, type RequestWithAdmin } from './admin-api-key.guard';

/**
 * Support view of WOPI locks: who holds a file's lock and for how long, and a release that only
 * removes the lock the operator looked at (a dead editor can refresh a lock forever).
 */
@Controller('admin/v1/tenants/:tenantSlug/files/:fileId/lock')
@UseGuards(AdminApiKeyGuard)
export class LockSupportController {
  constructor(
    private readonly tenants: TenantRepository,
    private readonly files: FileRepository,
    private readonly locks: LockStore,
    private readonly audit: AuditLogRepository,
  ) {}

  @Get()
  async inspect(@Param('tenantSlug') tenantSlug: string, @Param('fileId') fileId: string) {
    const { tenant, file } = await this.fileOf(tenantSlug, fileId);
    const lock = await this.locks.inspect(tenant.id, file.id);
    return { fileId: file.id, name: file.name, locked: lock !== null, lock };
  }

  @Delete()
  @HttpCode(200)
  async release(
    @Req() request: RequestWithAdmin,
    @Param('tenantSlug') tenantSlug: string,
    @Param('fileId') fileId: string,
    @Query('expectedLockId') expectedLockId?: string,
  ) {
    const { tenant, file } = await this.fileOf(tenantSlug, fileId);
    const result = await this.locks.forceUnlock(tenant.id, file.id, expectedLockId);
    if (!result.ok) throw ApiError.conflict('The lock changed: inspect it again', { currentLock: result.currentLock });
    await this.audit.record({
      tenantId: tenant.id,
      actor: `apikey:${request.admin!.keyId}`,
      action: 'lock.released_by_support',
      target: `file:${file.id}`,
      details: result.released
        ? { lockId: result.released.lockId, holder: result.released.holder.userId, ageMs: result.released.ageMs }
        : {},
      requestId: String(request.id),
    });
    return { fileId: file.id, released: result.released };
  }

  private async fileOf(tenantSlug: string, fileId: string) {
    const tenant = await this.tenants.findBySlug(tenantSlug);
    const file = tenant ? await this.files.findForTenant(tenant.id, fileId) : null;
    if (!tenant || !file) throw ApiError.notFound('No such file in this tenant');
    return { tenant, file };
  }
}
