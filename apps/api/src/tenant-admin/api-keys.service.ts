import { Injectable } from '@nestjs/common';
import { type ApiKey, Prisma, PrismaService } from '@wopi/db';
import { type AdminPrincipal, AuditLogRepository, generateApiKey, TenantCache } from '@wopi/tenancy';
import { ApiError } from '../api-errors/api-error';
import { adminAuditEvent } from './admin-audit';
import type { AdminActor } from './admin-scope';
import type {
  ApiKeyView,
  CreateAdminKeyDto,
  CreateSessionApiKeyDto,
  NewApiKeyView,
  RotateApiKeyDto,
} from './api-key.dto';
import { type Page, paged } from './page-query.dto';
import { TenantsService } from './tenants.service';

type KeyRow = ApiKey & { tenant: { slug: string } | null };
const WITH_TENANT = { tenant: { select: { slug: true } } } as const;

/**
 * Session keys (per tenant, for core apps) and admin keys (for operators, over every tenant or
 * confined to one). A key is shown once, at creation or rotation; only the SHA-256 of its secret
 * is stored (libs/tenancy api-key.ts). Revoking keeps the row, so the audit trail can name it.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly tenants: TenantsService,
    private readonly cache: TenantCache,
    private readonly audit: AuditLogRepository,
  ) {}

  async createSessionKey(slug: string, dto: CreateSessionApiKeyDto, by: AdminActor): Promise<NewApiKeyView> {
    const tenant = await this.tenants.existing(slug);
    return this.issue(
      { tenantId: tenant.id, kind: 'SESSION', name: dto.name, scopes: [], expiresAt: dto.expiresAt },
      by,
    );
  }

  async listSessionKeys(slug: string, page: Page) {
    const tenant = await this.tenants.existing(slug);
    return this.list({ tenantId: tenant.id, kind: 'SESSION' }, page);
  }

  async createAdminKey(dto: CreateAdminKeyDto, caller: AdminPrincipal, by: AdminActor): Promise<NewApiKeyView> {
    // No key grants more than it holds: a write key without support cannot mint a support key.
    const beyond = dto.scopes.find((scope) => !caller.scopes.includes(scope));
    if (beyond) throw ApiError.scopeMissing(beyond);
    const tenant = dto.tenant ? await this.tenants.existing(dto.tenant) : null;
    return this.issue(
      { tenantId: tenant?.id ?? null, kind: 'ADMIN', name: dto.name, scopes: dto.scopes, expiresAt: dto.expiresAt },
      by,
    );
  }

  listAdminKeys(page: Page) {
    return this.list({ kind: 'ADMIN' }, page);
  }

  /** A new key with the same name, kind, tenant and scopes; the old one works `overlapSeconds` more. */
  async rotate(where: KeyScope, keyId: string, dto: RotateApiKeyDto, by: AdminActor): Promise<NewApiKeyView> {
    const old = await this.existing(where, keyId);
    if (old.revokedAt) throw ApiError.conflict('A revoked key cannot be rotated');
    const fresh = await this.issue(
      {
        tenantId: old.tenantId,
        kind: old.kind,
        name: old.name,
        scopes: old.scopes,
        expiresAt: old.expiresAt?.toISOString(),
      },
      by,
      `rotated from ${old.keyId}`,
    );
    const overlapMs = (dto.overlapSeconds ?? 0) * 1000;
    const retired = await this.prisma.apiKey.update({
      where: { id: old.id },
      data: overlapMs > 0 ? { expiresAt: new Date(Date.now() + overlapMs) } : { revokedAt: new Date() },
      include: WITH_TENANT,
    });
    await this.audit.record(
      adminAuditEvent(by, 'api_key.rotated', `api_key:${old.keyId}`, {
        tenantId: old.tenantId ?? undefined,
        before: toKeyView(old),
        after: toKeyView(retired),
        details: { replacedBy: fresh.keyId },
      }),
    );
    if (old.tenantId) await this.cache.changed(old.tenantId);
    return fresh;
  }

  async revoke(where: KeyScope, keyId: string, by: AdminActor): Promise<ApiKeyView> {
    const before = await this.existing(where, keyId);
    if (before.revokedAt) return toKeyView(before);
    const after = await this.prisma.apiKey.update({
      where: { id: before.id },
      data: { revokedAt: new Date() },
      include: WITH_TENANT,
    });
    await this.audit.record(
      adminAuditEvent(by, 'api_key.revoked', `api_key:${keyId}`, {
        tenantId: before.tenantId ?? undefined,
        before: toKeyView(before),
        after: toKeyView(after),
      }),
    );
    // The session-key cache of every process drops the tenant's keys: a revoked key stops at once.
    if (before.tenantId) await this.cache.changed(before.tenantId);
    return toKeyView(after);
  }

  /** Session keys of one tenant (by slug), or admin keys. */
  async sessionKeysOf(slug: string): Promise<KeyScope> {
    const tenant = await this.tenants.existing(slug);
    return { kind: 'SESSION', tenantId: tenant.id };
  }

  private async issue(
    key: { tenantId: string | null; kind: 'SESSION' | 'ADMIN'; name: string; scopes: string[]; expiresAt?: string },
    by: AdminActor,
    note?: string,
  ): Promise<NewApiKeyView> {
    const generated = generateApiKey();
    const row = await this.prisma.apiKey.create({
      data: {
        tenantId: key.tenantId,
        kind: key.kind,
        name: key.name,
        scopes: key.scopes,
        keyId: generated.keyId,
        secretHash: generated.secretHash,
        expiresAt: key.expiresAt ? new Date(key.expiresAt) : null,
      },
      include: WITH_TENANT,
    });
    const view = toKeyView(row);
    await this.audit.record(
      adminAuditEvent(by, 'api_key.created', `api_key:${row.keyId}`, {
        tenantId: key.tenantId ?? undefined,
        after: view,
        details: note ? { note } : {},
      }),
    );
    return { ...view, key: generated.apiKey };
  }

  private async list(where: Prisma.ApiKeyWhereInput, page: Page) {
    const rows = await this.prisma.apiKey.findMany({
      where: { ...where, ...(page.after ? { id: { gt: page.after } } : {}) },
      orderBy: { id: 'asc' },
      take: page.limit + 1,
      include: WITH_TENANT,
    });
    const { items, nextCursor } = paged(rows, page);
    return { keys: items.map(toKeyView), nextCursor };
  }

  private async existing(where: KeyScope, keyId: string): Promise<KeyRow> {
    const row = await this.prisma.apiKey.findFirst({
      where: { keyId, kind: where.kind, ...(where.tenantId !== undefined ? { tenantId: where.tenantId } : {}) },
      include: WITH_TENANT,
    });
    if (!row) throw ApiError.notFound('No such API key');
    return row;
  }
}

/** Which keys a route may touch: one tenant's session keys, or admin keys. */
export interface KeyScope {
  kind: 'SESSION' | 'ADMIN';
  tenantId?: string;
}

export function toKeyView(row: KeyRow): ApiKeyView {
  return {
    keyId: row.keyId,
    name: row.name,
    kind: row.kind === 'SESSION' ? 'session' : 'admin',
    scopes: row.scopes,
    tenant: row.kind === 'ADMIN' ? (row.tenant?.slug ?? null) : null,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}
