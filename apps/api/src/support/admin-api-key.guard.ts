import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { type AdminPrincipal, TenantRepository } from '@wopi/tenancy';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../api-errors/api-error';

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
    if (!admin) throw ApiError.unauthenticated('An admin API key is required (Authorization: Bearer wgk_...)');
    if (!admin.scopes.includes('support')) throw ApiError.scopeMissing('support');
    request.admin = admin;
    return true;
  }
}
