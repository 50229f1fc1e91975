import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsDateString,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';

/** Lowercase letters, digits and inner hyphens, 2 to 63 characters: safe in URLs, logs and DNS labels. */
export const TENANT_SLUG = /^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$/;
const URL_OPTIONS = { require_tld: false, protocols: ['http', 'https'], require_protocol: true };
/** A CSP frame-ancestors source: 'self', 'none', or an http(s) origin (see host-page-settings.repository.ts). */
const FRAME_ANCESTOR = /^(?:'self'|'none'|https?:\/\/(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*(?::(?:\d{1,5}|\*))?)$/i;

export class CoreAppDto {
  /** Base URL of the core app's contract API, e.g. https://core.example/core/v1. */
  @IsUrl(URL_OPTIONS)
  @MaxLength(2048)
  baseUrl: string;

  /** The shared secret the gateway signs core-app calls with (stored encrypted, never shown again). */
  @IsString()
  @Length(16, 512)
  secret: string;
}

export class CreateTenantDto {
  @Matches(TENANT_SLUG, { message: 'slug must be 2-63 characters of a-z, 0-9 and inner "-"' })
  slug: string;

  @IsString()
  @Length(1, 200)
  displayName: string;

  @ValidateNested()
  @Type(() => CoreAppDto)
  coreApp: CoreAppDto;
}

/** Per-tenant WOPI feature switches; an absent switch keeps its value. */
export class FeaturesDto {
  @IsOptional() @IsBoolean() rename?: boolean;
  @IsOptional() @IsBoolean() putRelativeFile?: boolean;
  @IsOptional() @IsBoolean() userInfo?: boolean;
  @IsOptional() @IsBoolean() deleteFile?: boolean;
  @IsOptional() @IsBoolean() coauthoring?: boolean;
  @IsOptional() @IsBoolean() businessUserFlow?: boolean;
}

export class HostPageDto {
  /** CSP frame-ancestors of the host page: who may frame it ('self' when empty). */
  @IsOptional()
  @ArrayMaxSize(32)
  @Matches(FRAME_ANCESTOR, { each: true, message: "each allowed frame ancestor must be 'self', 'none' or an origin" })
  allowedFrameAncestors?: string[];
}

export class UpdateCoreAppDto {
  @IsOptional()
  @IsUrl(URL_OPTIONS)
  @MaxLength(2048)
  baseUrl?: string;

  /** Per-call timeout of metadata calls. */
  @IsOptional()
  @IsInt()
  @Min(500)
  @Max(60_000)
  timeoutMs?: number;
}

/** PATCH: every field optional; what is absent keeps its value. */
export class UpdateTenantDto {
  /** Shown on the host page (its title and notices): the tenant's branding. */
  @IsOptional()
  @IsString()
  @Length(1, 200)
  displayName?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => UpdateCoreAppDto)
  coreApp?: UpdateCoreAppDto;

  /** Lifetime of access tokens (WOPI access_token_ttl): 5 minutes to 24 hours. */
  @IsOptional()
  @IsInt()
  @Min(300_000)
  @Max(86_400_000)
  accessTokenTtlMs?: number;

  /** Largest file a WOPI client may save: 1 byte to 10 GiB. */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10 * 1024 ** 3)
  maxFileBytes?: number;

  /** How long a user's permissions answer may be reused (0 = ask every time); writes always re-check. */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  permissionCacheTtlMs?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => FeaturesDto)
  features?: FeaturesDto;

  @IsOptional()
  @ValidateNested()
  @Type(() => HostPageDto)
  hostPage?: HostPageDto;
}

/** A new core-app secret and when the gateway starts signing with it. */
export class RotateCoreAppSecretDto {
  @IsString()
  @Length(16, 512)
  secret: string;

  /** ISO 8601; now when absent. The core app must accept the new secret from then on. */
  @IsOptional()
  @IsDateString()
  activateAt?: string;
}

/** DELETE `?purge=now&confirm=<slug>` removes everything at once instead of after the grace period. */
export class DeleteTenantQueryDto {
  @IsOptional()
  @Matches(/^now$/, { message: 'purge must be "now" (or absent for the grace period)' })
  purge?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  confirm?: string;
}

export type TenantStatus = 'active' | 'suspended' | 'deleted';

/** A tenant as the admin API shows it: settings, never the secret. */
export interface TenantView {
  id: string;
  slug: string;
  displayName: string;
  status: TenantStatus;
  coreApp: { baseUrl: string; timeoutMs: number; secretRotation: { activeFrom: string } | null };
  accessTokenTtlMs: number;
  maxFileBytes: number;
  permissionCacheTtlMs: number;
  features: Record<string, boolean>;
  hostPage: { allowedFrameAncestors: string[] };
  createdAt: string;
  updatedAt: string;
  suspendedAt: string | null;
  /** When a deleted tenant's data is purged. */
  purgeAfter: string | null;
}
