import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiKeyUsage, TenantRepository } from '@wopi/tenancy';
import { ApiError } from '../api-errors/api-error';
import {
  ADMIN_SCOPE_METADATA,
  ADMIN_TENANT_QUERY_METADATA,
  type AdminScope,
  type RequestWithAdmin,
} from './admin-scope';

/**
 * Every admin route, in this order:
 * 1. an ADMIN API key (`Authorization: Bearer wgk_...`), known, not revoked, not expired: 401 otherwise;
 * 2. the key has the route's scope (`@RequireScope`): 403 SCOPE_MISSING otherwise;
 * 3. a key confined to one tenant reaches only that tenant (path `{slug}` or `?tenant=`): another
 *    tenant is a 404 (it learns nothing about other tenants), a route over every tenant a 403
 *    (scope `global`).
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(
    private readonly tenants: TenantRepository,
    private readonly reflector: Reflector,
    private readonly usage: ApiKeyUsage,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithAdmin>();
    const header = request.headers.authorization;
    const apiKey = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    const admin = apiKey ? await this.tenants.findAdminByApiKey(apiKey) : null;
    if (!admin) throw ApiError.unauthenticated('An admin API key is required (Authorization: Bearer wgk_...)');
    // A used key, even if this route then refuses it: operators retire keys nobody uses.
    this.usage.used(admin.keyId);
    const scope = this.reflector.getAllAndOverride<AdminScope | undefined>(ADMIN_SCOPE_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    // A route without a declared scope is a programming error: refuse rather than allow.
    if (!scope) throw ApiError.internal(String(request.id), new Error('admin route without @RequireScope'));
    if (!admin.scopes.includes(scope)) throw ApiError.scopeMissing(scope);
    if (admin.tenant) {
      // The tenant a request is about: the path's slug, or `?tenant=` on routes that filter by it
      // (@TenantFromQuery); a query parameter elsewhere must not lift a confined key onto a global route.
      const fromQuery = this.reflector.getAllAndOverride<boolean | undefined>(ADMIN_TENANT_QUERY_METADATA, [
        context.getHandler(),
        context.getClass(),
      ]);
      const slug =
        (request.params as { slug?: string }).slug ??
        (fromQuery ? (request.query as { tenant?: unknown }).tenant : undefined);
      if (slug === undefined) throw ApiError.scopeMissing('global');
      if (slug !== admin.tenant.slug) throw ApiError.notFound('No such tenant');
    }
    request.admin = admin;
    return true;
  }
}
