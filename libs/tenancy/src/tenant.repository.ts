import { Inject, Injectable } from '@nestjs/common';
import { PrismaService, type Tenant, type WopiClientKind, type WopiClientProfile } from '@wopi/db';
import { parseTenantFeatures, type TenantFeatures } from './tenant-features';
import { DEFAULT_TENANT_RATE_LIMITS, parseTenantRateLimits, type TenantRateLimits } from './tenant-rate-limits';
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
  coreApp: {
    baseUrl: string;
    credential: string;
    timeoutMs: number;
    permissionCacheTtlMs: number;
    /** When a scheduled secret rotation makes `credential` change (epoch ms); a cached config ends then. */
    credentialChangesAtMs?: number;
  };
  accessTokenTtlMs: number;
  maxFileBytes: bigint;
  features: TenantFeatures;
  /** Session-API request limits (defaults where the tenant sets none). */
  rateLimits: TenantRateLimits;
  /**
   * The WOPI client the request at hand goes through: the tenant's default profile as loaded, the
   * session's own profile once the WOPI guard has read the access token (WopiAuthGuard).
   */
  wopiClient?: WopiClientProfileConfig;
  /** Every WOPI-client profile of the tenant, the default first, then by name. */
  wopiClients: WopiClientProfileConfig[];
}

/** One WOPI client a tenant works with: where its discovery is, whether it signs, how it behaves. */
export interface WopiClientProfileConfig {
  id: string;
  name: string;
  kind: WopiClientKind;
  proofKeysRequired: boolean;
  discoveryUrl: string;
  isDefault: boolean;
  behaviour: Record<string, unknown>;
}

/** An operator authenticated by an ADMIN API key. */
export interface AdminPrincipal {
  keyId: string;
  name: string;
  scopes: string[];
  /** Set when the key is confined to one tenant; null for a key over every tenant. */
  tenant: { id: string; slug: string } | null;
}

/** Tenants in use: neither suspended nor deleted. */
const LIVE = { disabledAt: null, deletedAt: null } as const;

type TenantWithProfiles = Tenant & { wopiClients: WopiClientProfile[] };
const WITH_PROFILES = {
  wopiClients: { orderBy: [{ isDefault: 'desc' as const }, { name: 'asc' as const }] },
};

@Injectable()
export class TenantRepository {
  constructor(
    private readonly prisma: PrismaService,
    @Inject(SECRET_BOX) private readonly secrets: SecretBox,
  ) {}

  async findById(id: string): Promise<TenantConfig | null> {
    const tenant = await this.prisma.tenant.findFirst({
      where: { id, ...LIVE },
      include: WITH_PROFILES,
    });
    return tenant ? this.toConfig(tenant) : null;
  }

  async findBySlug(slug: string): Promise<TenantConfig | null> {
    const tenant = await this.prisma.tenant.findFirst({
      where: { slug, ...LIVE },
      include: WITH_PROFILES,
    });
    return tenant ? this.toConfig(tenant) : null;
  }

  /** The tenant a session API key belongs to, or null when the key is unknown, revoked or expired. */
  async findBySessionApiKey(apiKey: string): Promise<TenantConfig | null> {
    return (await this.findSessionKeyGrant(apiKey))?.tenant ?? null;
  }

  /** As findBySessionApiKey, with the key's expiry (epoch ms), so that a cache can end with it. */
  async findSessionKeyGrant(apiKey: string): Promise<{ tenant: TenantConfig; keyExpiresAtMs?: number } | null> {
    const parsed = parseApiKey(apiKey);
    if (!parsed) return null;
    const row = await this.prisma.apiKey.findUnique({
      where: { keyId: parsed.keyId },
      include: { tenant: { include: WITH_PROFILES } },
    });
    const now = new Date();
    if (
      !row ||
      row.kind !== 'SESSION' ||
      !row.tenant ||
      row.tenant.disabledAt ||
      row.tenant.deletedAt ||
      row.revokedAt ||
      (row.expiresAt && row.expiresAt <= now) ||
      !apiKeySecretMatches(parsed.secret, row.secretHash)
    ) {
      return null;
    }
    return { tenant: this.toConfig(row.tenant), keyExpiresAtMs: row.expiresAt?.getTime() };
  }

  /** The operator an ADMIN API key belongs to, or null when unknown, revoked or expired. */
  async findAdminByApiKey(apiKey: string): Promise<AdminPrincipal | null> {
    const parsed = parseApiKey(apiKey);
    if (!parsed) return null;
    const row = await this.prisma.apiKey.findUnique({
      where: { keyId: parsed.keyId },
      include: { tenant: { select: { id: true, slug: true, deletedAt: true } } },
    });
    if (
      !row ||
      row.kind !== 'ADMIN' ||
      row.revokedAt ||
      row.tenant?.deletedAt ||
      (row.expiresAt && row.expiresAt <= new Date()) ||
      !apiKeySecretMatches(parsed.secret, row.secretHash)
    ) {
      return null;
    }
    return {
      keyId: row.keyId,
      name: row.name,
      scopes: row.scopes,
      tenant: row.tenant ? { id: row.tenant.id, slug: row.tenant.slug } : null,
    };
  }

  /**
   * Removes the tenants deleted through the admin API whose grace period is over, with every row
   * of theirs (files, versions, keys, profiles: cascades); audit events stay, without the tenant
   * id, for their own retention. Returns the slugs removed.
   */
  async purgeExpiredDeletions(now = new Date()): Promise<string[]> {
    const due = await this.prisma.tenant.findMany({
      where: { deletedAt: { not: null }, purgeAfter: { lte: now } },
      select: { id: true, slug: true },
      take: 100,
    });
    for (const tenant of due) {
      await this.prisma.$transaction([
        this.prisma.tenant.delete({ where: { id: tenant.id } }),
        this.prisma.auditEvent.create({
          data: { actor: 'system:housekeeping', action: 'tenant.purged', target: `tenant:${tenant.slug}` },
        }),
      ]);
    }
    return due.map((tenant) => tenant.slug);
  }

  private toConfig(tenant: TenantWithProfiles): TenantConfig {
    const profiles = tenant.wopiClients.map(toProfileConfig);
    rememberTenantSlug(tenant.id, tenant.slug);
    return {
      id: tenant.id,
      slug: tenant.slug,
      displayName: tenant.displayName,
      coreApp: {
        baseUrl: tenant.coreAppBaseUrl,
        credential: this.secrets.open(signingCredentialOf(tenant)),
        timeoutMs: tenant.coreAppTimeoutMs,
        permissionCacheTtlMs: tenant.permissionCacheTtlMs,
        credentialChangesAtMs: pendingRotationAtMs(tenant),
      },
      accessTokenTtlMs: tenant.accessTokenTtlMs,
      maxFileBytes: tenant.maxFileBytes,
      features: parseTenantFeatures(tenant.features),
      rateLimits: storedRateLimits(tenant.rateLimits),
      wopiClient: profiles.find((profile) => profile.isDefault),
      wopiClients: profiles,
    };
  }
}

function toProfileConfig(profile: WopiClientProfile): WopiClientProfileConfig {
  return {
    id: profile.id,
    name: profile.name,
    kind: profile.kind,
    proofKeysRequired: profile.proofKeysRequired,
    discoveryUrl: profile.discoveryUrl,
    isDefault: profile.isDefault,
    behaviour: (profile.behaviour ?? {}) as Record<string, unknown>,
  };
}

/**
 * The credential the gateway signs core-app calls with now: the next one of a rotation once its
 * activation time has come, the current one before (docs/adr/0026-core-app-secret-rotation.md).
 */
export function signingCredentialOf(
  tenant: Pick<Tenant, 'coreAppCredential' | 'coreAppCredentialNext' | 'coreAppCredentialNextFrom'>,
  nowMs = Date.now(),
): string {
  const next = tenant.coreAppCredentialNext;
  const from = tenant.coreAppCredentialNextFrom;
  return next && from && from.getTime() <= nowMs ? next : tenant.coreAppCredential;
}

function pendingRotationAtMs(tenant: Pick<Tenant, 'coreAppCredentialNext' | 'coreAppCredentialNextFrom'>) {
  const from = tenant.coreAppCredentialNextFrom?.getTime();
  return tenant.coreAppCredentialNext && from !== undefined && from > Date.now() ? from : undefined;
}

/** The stored setting; one that no longer parses (written around the admin API) falls back to the defaults. */
function storedRateLimits(stored: unknown): TenantRateLimits {
  try {
    return parseTenantRateLimits(stored);
  } catch {
    return DEFAULT_TENANT_RATE_LIMITS;
  }
}
