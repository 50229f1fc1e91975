import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import type { RequestWithTenant } from '../session/session-api-key.guard';
import { ApiError } from '../api-errors/api-error';
import { type RateLimitCheck, rateLimitCheckOf } from './rate-limiting';

/**
 * Limits the session, revocation and conversion APIs, after the API key guard (the tenant and the
 * key are known): first the key's own budget, then the tenant's, each from the tenant's
 * rateLimits setting. Over either: 429 with Retry-After, before any work is done.
 */
@Injectable()
export class ApiRateLimitGuard implements CanActivate {
  private limiter?: RateLimitCheck;

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  private get check(): RateLimitCheck {
    this.limiter ??= rateLimitCheckOf(this.adapterHost.httpAdapter.getInstance());
    return this.limiter;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RequestWithTenant>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const tenant = request.tenant!;
    const { perApiKey, perTenant } = tenant.rateLimits;
    const keyVerdict = await this.check(request, { key: `${tenant.id}:key:${request.apiKeyId}`, ...perApiKey });
    if (keyVerdict.isExceeded) throw ApiError.rateLimited(keyVerdict.ttlInSeconds ?? 1);
    const tenantVerdict = await this.check(request, { key: `${tenant.id}:tenant`, ...perTenant });
    if (tenantVerdict.isExceeded) throw ApiError.rateLimited(tenantVerdict.ttlInSeconds ?? 1, 'tenant');
    // The key's budget is what one caller can act on.
    if (!keyVerdict.isAllowed && keyVerdict.max !== undefined) {
      reply.header('x-ratelimit-limit', String(keyVerdict.max));
      reply.header('x-ratelimit-remaining', String(keyVerdict.remaining));
      reply.header('x-ratelimit-reset', String(keyVerdict.ttlInSeconds));
    }
    return true;
  }
}
