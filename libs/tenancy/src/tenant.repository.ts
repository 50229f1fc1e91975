import { Inject, Injectable } from '@nestjs/common';
import { PrismaService, type Tenant, type WopiClientKind, type WopiClientProfile } from '@wopi/db';
import { parseTenantFeatures, type TenantFeatures } from './tenant-features';
import { SecretBox } from './secret-box';
import { apiKeySecretMatches, parseApiKey } from './api-key';
import { rememberTenantSlug } from '@wopi/telemetry';

export const SECRET_BOX = Symbol('SECRET_BOX');

/** A tenant as the gateway uses it: core-app credential decrypted, limits as numbers. */
export interface TenantConfig {
  id: string;
  slug: string;
  displayName: string;
  /** How to reach the tenant's core app (libs/core-app-client builds its client from this). */
  coreApp: { baseUrl: string; credential: string; timeoutMs: number; permissionCacheTtlMs: number };
  accessTokenTtlMs: number;
  maxFileBytes: bigint;
  features: TenantFeatures;
  /** The tenant's default WOPI client profile (kind and behaviour switches), if it has one. */
  wopiClient?: {
    id: string;
    name: string;
    kind: WopiClientKind;
    proofKeysRequired: boolean;
    discoveryUrl: string;
    behaviour: Record<string, unknown>;
  };
}

/** An operator authenticated by an ADMIN API key. */
export interface AdminPrincipal {
  keyId: string;
  name: string;
  scopes: string[];
}

type TenantWithProfiles = Tenant & { wopiClients: WopiClientProfile[] };
const WITH_DEFAULT_PROFILE = { wopiClients: { where: { isDefault: true }, take: 1 } } as const;

@Injectable()
export class TenantRepository {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
  ) {}

  async findById(id: string): Promise<TenantConfig | null> {
    const tenant = await this.prisma.tenant.findFirst({
      where: { id, disabledAt: null },
      include: WITH_DEFAULT_PROFILE,
    });
    return tenant ? this.toConfig(tenant) : null;
  }

  async findBySlug(slug: string): Promise<TenantConfig | null> {
    const tenant = await this.prisma.tenant.findFirst({
      where: { slug, disabledAt: null },
      include: WITH_DEFAULT_PROFILE,
    });
    return tenant ? this.toConfig(tenant) : null;
  }

  /** The tenant a session API key belongs to, or null when the key is unknown, revoked or expired. */
  async findBySessionApiKey(apiKey: string): Promise<TenantConfig | null> {
    const parsed = parseApiKey(apiKey);
    if (!parsed) return null;
    const row = await this.prisma.apiKey.findUnique({
      where: { keyId: parsed.keyId },
      include: { tenant: { include: WITH_DEFAULT_PROFILE } },
    });
    const now = new Date();
    if (
      !row ||
      row.kind !== 'SESSION' ||
      !row.tenant ||
      row.tenant.disabledAt ||
      row.revokedAt ||
      (row.expiresAt && row.expiresAt <= now) ||
      !apiKeySecretMatches(parsed.secret, row.secretHash)
    ) {
      return null;
    }
    return this.toConfig(row.tenant);
  }

  /** The operator an ADMIN API key belongs to, or null when unknown, revoked or expired. */
  async findAdminByApiKey(apiKey: string): Promise<AdminPrincipal | null> {
    const parsed = parseApiKey(apiKey);
    if (!parsed) return null;
    const row = await this.prisma.apiKey.findUnique({ where: { keyId: parsed.keyId } });
    if (
      !row ||
      row.kind !== 'ADMIN' ||
      row.revokedAt ||
      (row.expiresAt && row.expiresAt <= new Date()) ||
      !apiKeySecretMatches(parsed.secret, row.secretHash)
    ) {
      return null;
    }
    return { keyId: row.keyId, name: row.name, scopes: row.scopes };
  }

  private toConfig(tenant: TenantWithProfiles): TenantConfig {
    const profile = tenant.wopiClients[0];
    rememberTenantSlug(tenant.id, tenant.slug);
    return {
      id: tenant.id,
      slug: tenant.slug,
      displayName: tenant.displayName,
      coreApp: {
        baseUrl: tenant.coreAppBaseUrl,
        credential: this.secrets.open(tenant.coreAppCredential),
        timeoutMs: tenant.coreAppTimeoutMs,
        permissionCacheTtlMs: tenant.permissionCacheTtlMs,
      },
      accessTokenTtlMs: tenant.accessTokenTtlMs,
      maxFileBytes: tenant.maxFileBytes,
      features: parseTenantFeatures(tenant.features),
      wopiClient: profile && {
        id: profile.id,
        name: profile.name,
        kind: profile.kind,
        proofKeysRequired: profile.proofKeysRequired,
        discoveryUrl: profile.discoveryUrl,
        behaviour: (profile.behaviour ?? {}) as Record<string, unknown>,
      },
    };
  }
}
