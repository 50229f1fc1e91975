import {
  ArrayNotEmpty,
  ArrayUnique,
  IsDateString,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { ADMIN_SCOPES, type AdminScope } from './admin-scope';
import { TENANT_SLUG } from './tenant.dto';

export class CreateSessionApiKeyDto {
  /** Who holds it, for people reading the list ("billing core app, production"). */
  @IsString()
  @Length(1, 200)
  name: string;

  /** Session keys only: admin keys are made at /admin/v1/admin-keys. */
  @IsIn(['session'])
  kind: 'session';

  /** ISO 8601; the key never expires when absent. */
  @IsOptional()
  @IsDateString()
  expiresAt?: string;
}

export class CreateAdminKeyDto {
  @IsString()
  @Length(1, 200)
  name: string;

  /** read, write, support; a key can only grant scopes it has itself. */
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(ADMIN_SCOPES, { each: true })
  scopes: AdminScope[];

  /** Confine the key to one tenant (its slug); absent: every tenant. */
  @IsOptional()
  @Matches(TENANT_SLUG, { message: 'tenant must be a tenant slug' })
  tenant?: string;

  @IsOptional()
  @IsDateString()
  expiresAt?: string;
}

export class RotateApiKeyDto {
  /** How long the old key keeps working beside the new one, so that callers can switch (max 7 days). */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(7 * 24 * 60 * 60)
  overlapSeconds?: number;
}

/** An API key as listed: never its secret. */
export interface ApiKeyView {
  keyId: string;
  name: string;
  kind: 'session' | 'admin';
  scopes: string[];
  /** Admin keys: the tenant a key is confined to, null for every tenant. */
  tenant: string | null;
  createdAt: string;
  /** When it last authenticated a request; null if never. Written at most once a minute (ADR 0035). */
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

/** The answer to creating or rotating a key: the only time `key` is ever shown. */
export type NewApiKeyView = ApiKeyView & { key: string };
