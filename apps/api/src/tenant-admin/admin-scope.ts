import { SetMetadata } from '@nestjs/common';
import type { AdminPrincipal } from '@wopi/tenancy';
import type { FastifyRequest } from 'fastify';

/** What an admin key may do: read settings, change them, or act on files (locks, write-backs). */
export enum AdminScope {
  Read = 'read',
  Write = 'write',
  Support = 'support',
}

export const ADMIN_SCOPES: readonly AdminScope[] = Object.values(AdminScope);

export const ADMIN_SCOPE_METADATA = 'wopi:admin-scope';

/** The scope a route needs; AdminAuthGuard refuses keys without it. */
export const RequireScope = (scope: AdminScope) => SetMetadata(ADMIN_SCOPE_METADATA, scope);

export const ADMIN_TENANT_QUERY_METADATA = 'wopi:admin-tenant-query';

/**
 * The route is about the tenant named by `?tenant=` (e.g. the audit trail), and filters by it:
 * a key confined to that tenant may call it. Elsewhere only the path's `{slug}` counts.
 */
export const TenantFromQuery = () => SetMetadata(ADMIN_TENANT_QUERY_METADATA, true);

export type RequestWithAdmin = FastifyRequest & { admin?: AdminPrincipal };

/** Who did it, as the audit trail names them (the key's public id, never the key). */
export interface AdminActor {
  actor: string;
  requestId: string;
}

export function actorOf(request: RequestWithAdmin): AdminActor {
  return { actor: `apikey:${request.admin!.keyId}`, requestId: String(request.id) };
}
