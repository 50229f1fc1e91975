import type { WopiClientKind } from '@wopi/db';
import { IsBoolean, IsIn, IsOptional, IsUrl, Matches, MaxLength } from 'class-validator';

/** The WOPI clients a profile can name, as the admin API spells them, and their stored kind. */
export const CLIENT_KINDS = {
  microsoft: 'MICROSOFT_365',
  collabora: 'COLLABORA',
  onlyoffice: 'ONLYOFFICE',
  validator: 'WOPI_VALIDATOR',
} as const satisfies Record<string, WopiClientKind>;
export type ClientKindName = keyof typeof CLIENT_KINDS;
export const CLIENT_KIND_NAMES = Object.keys(CLIENT_KINDS) as ClientKindName[];
const URL_OPTIONS = { require_tld: false, protocols: ['http', 'https'], require_protocol: true };

const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;
const PROFILE_NAME_MESSAGE = 'name must be 1-64 characters of letters, digits, space, ".", "_" or "-"';

/**
 * A WOPI-client profile as created. A new profile field goes here and, optional, in
 * UpdateClientProfileDto (spelled out rather than derived, so that the OpenAPI schemas, built from
 * these rules, show it), with its column in dataOf() and toProfileView().
 */
export class CreateClientProfileDto {
  @Matches(PROFILE_NAME, { message: PROFILE_NAME_MESSAGE })
  name: string;

  @IsIn(CLIENT_KIND_NAMES)
  kind: ClientKindName;

  /** The WOPI client's discovery URL (…/hosting/discovery). */
  @IsUrl(URL_OPTIONS)
  @MaxLength(2048)
  discoveryUrl: string;

  /** The profile sessions use when they name none; one per tenant (setting it clears the others). */
  @IsOptional()
  @IsBoolean()
  isDefault?: boolean;

  /** Verify X-WOPI-Proof on every request through this profile; true when absent. */
  @IsOptional()
  @IsBoolean()
  proofKeysRequired?: boolean;
}

/** PATCH: what is absent keeps its value. */
export class UpdateClientProfileDto {
  @IsOptional()
  @Matches(PROFILE_NAME, { message: PROFILE_NAME_MESSAGE })
  name?: string;

  @IsOptional()
  @IsIn(CLIENT_KIND_NAMES)
  kind?: ClientKindName;

  @IsOptional()
  @IsUrl(URL_OPTIONS)
  @MaxLength(2048)
  discoveryUrl?: string;

  @IsOptional()
  @IsBoolean()
  isDefault?: boolean;

  @IsOptional()
  @IsBoolean()
  proofKeysRequired?: boolean;
}

export interface ClientProfileView {
  id: string;
  name: string;
  kind: ClientKindName;
  discoveryUrl: string;
  isDefault: boolean;
  proofKeysRequired: boolean;
  createdAt: string;
  updatedAt: string;
}
