import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { ApiKeyUsage, parseApiKey, TenantCache, type TenantConfig } from '@wopi/tenancy';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../api-errors/api-error';

export type RequestWithTenant = FastifyRequest & {
  tenant?: TenantConfig;
  /** The public part of the API key that authenticated the request (safe to log and audit). */
  apiKeyId?: string;
};

/** Session API: a core app authenticates with its tenant's API key (`Authorization: Bearer wgk_...`). */
@Injectable()
export class SessionApiKeyGuard implements CanActivate {
  constructor(
    private readonly tenants: TenantCache,
    private readonly usage: ApiKeyUsage,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithTenant>();
    const header = request.headers.authorization;
    const apiKey = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    const tenant = apiKey ? await this.tenants.findBySessionApiKey(apiKey) : null;
    if (!tenant) throw ApiError.unauthenticated('A valid tenant API key is required (Authorization: Bearer wgk_...)');
    request.tenant = tenant;
    request.apiKeyId = parseApiKey(apiKey!)!.keyId;
    // Throttled and not awaited: the cached key lookup above stays the only cost per request.
    this.usage.used(request.apiKeyId);
    return true;
  }
}
