import { type CanActivate, type ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import { type AdminPrincipal, TenantRepository } from '@wopi/tenancy';
import type { FastifyRequest } from 'fastify';

export type RequestWithAdmin = FastifyRequest & { admin?: AdminPrincipal };

/** Operator endpoints: an ADMIN API key with the `support` scope (`Authorization: Bearer wgk_...`). */
@Injectable()
export class AdminApiKeyGuard implements CanActivate {
  constructor(private readonly tenants: TenantRepository) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithAdmin>();
    const header = request.headers.authorization;
    const apiKey = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    const admin = apiKey ? await this.tenants.findAdminByApiKey(apiKey) : null;
    if (!admin || !admin.scopes.includes('support'))
      throw new UnauthorizedException('An admin API key with the "support" scope is required');
    request.admin = admin;
    return true;
  }
}
