import { Injectable } from '@nestjs/common';
import { Prisma, PrismaService, type WopiClientProfile } from '@wopi/db';
import { AuditLogRepository, TenantCache } from '@wopi/tenancy';
import { ApiError } from '../api-errors/api-error';
import { adminAuditEvent } from './admin-audit';
import type { AdminActor } from './admin-scope';
import {
  CLIENT_KINDS,
  type ClientKindName,
  type ClientProfileView,
  type CreateClientProfileDto,
  type UpdateClientProfileDto,
} from './client-profile.dto';
import { TenantsService } from './tenants.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A tenant's WOPI-client profiles. At most one is the default: making one the default clears
 * the flag on the others in the same transaction.
 */
@Injectable()
export class ClientProfilesService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly tenants: TenantsService,
    private readonly cache: TenantCache,
    private readonly audit: AuditLogRepository,
  ) {}

  async create(slug: string, dto: CreateClientProfileDto, by: AdminActor): Promise<ClientProfileView> {
    const tenant = await this.tenants.existing(slug);
    const profile = await this.uniqueName(dto.name, () =>
      this.prisma.$transaction(async (tx) => {
        if (dto.isDefault)
          await tx.wopiClientProfile.updateMany({ where: { tenantId: tenant.id }, data: { isDefault: false } });
        return tx.wopiClientProfile.create({
          data: {
            ...(dataOf(dto) as Prisma.WopiClientProfileUncheckedCreateInput),
            tenantId: tenant.id,
            name: dto.name,
            kind: CLIENT_KINDS[dto.kind],
            discoveryUrl: dto.discoveryUrl,
          },
        });
      }),
    );
    const view = toProfileView(profile);
    await this.audit.record(
      adminAuditEvent(by, 'client_profile.created', `client_profile:${profile.id}`, {
        tenantId: tenant.id,
        after: view,
      }),
    );
    await this.cache.changed(tenant.id);
    return view;
  }

  async list(slug: string): Promise<{ profiles: ClientProfileView[] }> {
    const tenant = await this.tenants.existing(slug);
    // A tenant has a handful of profiles (one per WOPI client): no paging needed, but bounded all the same.
    const rows = await this.prisma.wopiClientProfile.findMany({
      where: { tenantId: tenant.id },
      orderBy: { createdAt: 'asc' },
      take: 100,
    });
    return { profiles: rows.map(toProfileView) };
  }

  async update(slug: string, id: string, dto: UpdateClientProfileDto, by: AdminActor): Promise<ClientProfileView> {
    const { tenant, profile: before } = await this.existing(slug, id);
    const after = await this.uniqueName(dto.name, () =>
      this.prisma.$transaction(async (tx) => {
        if (dto.isDefault)
          await tx.wopiClientProfile.updateMany({
            where: { tenantId: tenant.id, id: { not: id } },
            data: { isDefault: false },
          });
        return tx.wopiClientProfile.update({ where: { id }, data: dataOf(dto) });
      }),
    );
    const view = toProfileView(after);
    await this.audit.record(
      adminAuditEvent(by, 'client_profile.updated', `client_profile:${id}`, {
        tenantId: tenant.id,
        before: toProfileView(before),
        after: view,
      }),
    );
    await this.cache.changed(tenant.id);
    return view;
  }

  async delete(slug: string, id: string, by: AdminActor): Promise<{ deleted: true }> {
    const { tenant, profile } = await this.existing(slug, id);
    await this.prisma.wopiClientProfile.delete({ where: { id } });
    await this.audit.record(
      adminAuditEvent(by, 'client_profile.deleted', `client_profile:${id}`, {
        tenantId: tenant.id,
        before: toProfileView(profile),
      }),
    );
    await this.cache.changed(tenant.id);
    return { deleted: true };
  }

  private async existing(slug: string, id: string) {
    const tenant = await this.tenants.existing(slug);
    const profile = UUID.test(id)
      ? await this.prisma.wopiClientProfile.findFirst({ where: { id, tenantId: tenant.id } })
      : null;
    if (!profile) throw ApiError.notFound('No such client profile');
    return { tenant, profile };
  }

  private async uniqueName<T>(name: string | undefined, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (error) {
      if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')
        throw ApiError.conflict(`The tenant has a client profile named "${name}" already`);
      throw error;
    }
  }
}

function dataOf(dto: UpdateClientProfileDto): Prisma.WopiClientProfileUpdateInput {
  const data: Prisma.WopiClientProfileUpdateInput = {};
  if (dto.name !== undefined) data.name = dto.name;
  if (dto.kind !== undefined) data.kind = CLIENT_KINDS[dto.kind];
  if (dto.discoveryUrl !== undefined) data.discoveryUrl = dto.discoveryUrl;
  if (dto.isDefault !== undefined) data.isDefault = dto.isDefault;
  if (dto.proofKeysRequired !== undefined) data.proofKeysRequired = dto.proofKeysRequired;
  return data;
}

export function toProfileView(profile: WopiClientProfile): ClientProfileView {
  const kind = (Object.keys(CLIENT_KINDS) as ClientKindName[]).find((name) => CLIENT_KINDS[name] === profile.kind)!;
  return {
    id: profile.id,
    name: profile.name,
    kind,
    discoveryUrl: profile.discoveryUrl,
    isDefault: profile.isDefault,
    proofKeysRequired: profile.proofKeysRequired,
    createdAt: profile.createdAt.toISOString(),
    updatedAt: profile.updatedAt.toISOString(),
  };
}
