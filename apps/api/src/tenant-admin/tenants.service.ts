import { Inject, Injectable } from '@nestjs/common';
import { Prisma, PrismaService, type Tenant } from '@wopi/db';
import {
  AuditLogRepository,
  parseTenantFeatures,
  SECRET_BOX,
  type SecretBox,
  signingCredentialOf,
  TenantCache,
} from '@wopi/tenancy';
import { ApiError } from '../api-errors/api-error';
import { parseHostPageSettings } from '../host-page/host-page-settings.repository';
import { adminAuditEvent } from './admin-audit';
import type { AdminActor } from './admin-scope';
import { type Page, paged } from './page-query.dto';
import { TENANT_ADMIN_SETTINGS, type TenantAdminSettings } from './tenant-admin-settings';
import type {
  CreateTenantDto,
  DeleteTenantQueryDto,
  RotateCoreAppSecretDto,
  TenantView,
  UpdateTenantDto,
} from './tenant.dto';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Tenants through their lifecycle: created active, suspended (every request refused) and resumed,
 * deleted only once suspended, then kept for the grace period or purged at once on confirmation
 * (docs/adr/0025-admin-api-tenant-lifecycle-and-keys.md). Every write is audited with the state before and
 * after, and reaches every process through TenantCache.changed().
 */
@Injectable()
export class TenantsService {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
    private readonly cache: TenantCache,
    private readonly audit: AuditLogRepository,
    @Inject(TENANT_ADMIN_SETTINGS) private readonly settings: TenantAdminSettings,
  ) {}

  async create(dto: CreateTenantDto, by: AdminActor): Promise<TenantView> {
    let tenant: Tenant;
    try {
      tenant = await this.prisma.tenant.create({
        data: {
          slug: dto.slug,
          displayName: dto.displayName,
          coreAppBaseUrl: dto.coreApp.baseUrl,
          coreAppCredential: this.secrets.seal(dto.coreApp.secret),
        },
      });
    } catch (error) {
      // P2002: unique violation. A deleted tenant keeps its slug until it is purged.
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')
        throw ApiError.conflict(`The slug "${dto.slug}" is taken`);
      throw error;
    }
    const view = toView(tenant);
    await this.audit.record(
      adminAuditEvent(by, 'tenant.created', `tenant:${tenant.slug}`, { tenantId: tenant.id, after: view }),
    );
    return view;
  }

  async list(page: Page): Promise<{ tenants: TenantView[]; nextCursor: string | null }> {
    const rows = await this.prisma.tenant.findMany({
      where: { deletedAt: null, ...(page.after ? { id: { gt: page.after } } : {}) },
      orderBy: { id: 'asc' },
      take: page.limit + 1,
    });
    const { items, nextCursor } = paged(rows, page);
    return { tenants: items.map(toView), nextCursor };
  }

  async get(slug: string): Promise<TenantView> {
    return toView(await this.existing(slug));
  }

  async update(slug: string, dto: UpdateTenantDto, by: AdminActor): Promise<TenantView> {
    const before = await this.existing(slug);
    const data: Prisma.TenantUpdateInput = {};
    if (dto.displayName !== undefined) data.displayName = dto.displayName;
    if (dto.coreApp?.baseUrl !== undefined) data.coreAppBaseUrl = dto.coreApp.baseUrl;
    if (dto.coreApp?.timeoutMs !== undefined) data.coreAppTimeoutMs = dto.coreApp.timeoutMs;
    if (dto.accessTokenTtlMs !== undefined) data.accessTokenTtlMs = dto.accessTokenTtlMs;
    if (dto.maxFileBytes !== undefined) data.maxFileBytes = BigInt(dto.maxFileBytes);
    if (dto.permissionCacheTtlMs !== undefined) data.permissionCacheTtlMs = dto.permissionCacheTtlMs;
    if (dto.features !== undefined)
      data.features = { ...parseTenantFeatures(before.features), ...definedOnly(dto.features) };
    if (dto.hostPage !== undefined)
      data.hostPage = { ...jsonObject(before.hostPage), ...definedOnly(dto.hostPage) } as Prisma.InputJsonObject;
    const after = await this.prisma.tenant.update({ where: { id: before.id }, data });
    return this.changed(by, 'tenant.updated', before, after);
  }

  async suspend(slug: string, by: AdminActor): Promise<TenantView> {
    const before = await this.existing(slug);
    if (before.disabledAt) return toView(before);
    const after = await this.prisma.tenant.update({ where: { id: before.id }, data: { disabledAt: new Date() } });
    return this.changed(by, 'tenant.suspended', before, after);
  }

  async resume(slug: string, by: AdminActor): Promise<TenantView> {
    const before = await this.existing(slug);
    if (!before.disabledAt) return toView(before);
    const after = await this.prisma.tenant.update({ where: { id: before.id }, data: { disabledAt: null } });
    return this.changed(by, 'tenant.resumed', before, after);
  }

  /**
   * Only a suspended tenant can be deleted: suspending first shows what stops working while the
   * data still exists. Without `purge=now` the data is kept for the grace period (and the slug
   * stays taken); with it, and `confirm` equal to the slug, it is removed at once.
   */
  async delete(slug: string, query: DeleteTenantQueryDto, by: AdminActor): Promise<TenantView> {
    const before = await this.existing(slug);
    if (!before.disabledAt) throw ApiError.conflict('Suspend the tenant before deleting it');
    if (query.purge === 'now') {
      if (query.confirm !== slug)
        throw ApiError.validationFailed('confirm', 'Purging at once needs confirm set to the tenant slug');
      await this.prisma.tenant.delete({ where: { id: before.id } });
      // The tenant row is gone, so the audit event names it by slug only (tenantId would dangle).
      await this.audit.record(
        adminAuditEvent(by, 'tenant.purged', `tenant:${slug}`, { before: toView(before), after: null }),
      );
      await this.cache.changed(before.id);
      return { ...toView(before), status: 'deleted', purgeAfter: new Date().toISOString() };
    }
    const now = new Date();
    const after = await this.prisma.tenant.update({
      where: { id: before.id },
      data: { deletedAt: now, purgeAfter: new Date(now.getTime() + this.settings.deletionGraceDays * DAY_MS) },
    });
    return this.changed(by, 'tenant.deleted', before, after);
  }

  /**
   * Stages a new core-app secret: the gateway keeps signing with the current one until
   * `activateAt` (now when absent), then with the new one. The core app accepts both in between
   * (docs/core-app-integration.md, "Rotating the secret").
   */
  async rotateCoreAppSecret(
    slug: string,
    dto: RotateCoreAppSecretDto,
    by: AdminActor,
  ): Promise<{ activeFrom: string }> {
    const before = await this.existing(slug);
    const activeFrom = dto.activateAt ? new Date(dto.activateAt) : new Date();
    const after = await this.prisma.tenant.update({
      where: { id: before.id },
      data: {
        // A rotation whose time has come is complete: its secret becomes the current one.
        coreAppCredential: signingCredentialOf(before),
        coreAppCredentialNext: this.secrets.seal(dto.secret),
        coreAppCredentialNextFrom: activeFrom,
      },
    });
    await this.changed(by, 'tenant.core_app_secret_rotated', before, after);
    return { activeFrom: activeFrom.toISOString() };
  }

  /** A tenant that is not deleted; 404 otherwise. */
  async existing(slug: string): Promise<Tenant> {
    const tenant = await this.prisma.tenant.findFirst({ where: { slug, deletedAt: null } });
    if (!tenant) throw ApiError.notFound('No such tenant');
    return tenant;
  }

  private async changed(by: AdminActor, action: string, before: Tenant, after: Tenant): Promise<TenantView> {
    const view = toView(after);
    await this.audit.record(
      adminAuditEvent(by, action, `tenant:${after.slug}`, { tenantId: after.id, before: toView(before), after: view }),
    );
    await this.cache.changed(after.id);
    return view;
  }
}

export function toView(tenant: Tenant): TenantView {
  const next = tenant.coreAppCredentialNextFrom;
  return {
    id: tenant.id,
    slug: tenant.slug,
    displayName: tenant.displayName,
    status: tenant.deletedAt ? 'deleted' : tenant.disabledAt ? 'suspended' : 'active',
    coreApp: {
      baseUrl: tenant.coreAppBaseUrl,
      timeoutMs: tenant.coreAppTimeoutMs,
      secretRotation: tenant.coreAppCredentialNext && next ? { activeFrom: next.toISOString() } : null,
    },
    accessTokenTtlMs: tenant.accessTokenTtlMs,
    maxFileBytes: Number(tenant.maxFileBytes),
    permissionCacheTtlMs: tenant.permissionCacheTtlMs,
    features: { ...parseTenantFeatures(tenant.features) },
    hostPage: parseHostPageSettings(tenant.hostPage),
    createdAt: tenant.createdAt.toISOString(),
    updatedAt: tenant.updatedAt.toISOString(),
    suspendedAt: tenant.disabledAt?.toISOString() ?? null,
    purgeAfter: tenant.purgeAfter?.toISOString() ?? null,
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function jsonObject(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
