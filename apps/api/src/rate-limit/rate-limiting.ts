import fastifyRateLimit from '@fastify/rate-limit';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RateLimit } from '@wopi/tenancy';
import type { FastifyRequest } from 'fastify';
import type Redis from 'ioredis';

/** What one check counts against: a Redis key and that key's limit. Set by ApiRateLimitGuard. */
export interface RateLimitScope extends RateLimit {
  key: string;
}

const SCOPE = Symbol('wopi:rate-limit-scope');
type ScopedRequest = FastifyRequest & { [SCOPE]?: RateLimitScope };

/** The verdict of one check (what @fastify/rate-limit's createRateLimit() resolves to). */
export interface RateLimitVerdict {
  isAllowed: boolean;
  isExceeded?: boolean;
  max?: number;
  remaining?: number;
  ttlInSeconds?: number;
}

/** Counts one request against a scope; shared by every api process through Redis. */
export type RateLimitCheck = (request: FastifyRequest, scope: RateLimitScope) => Promise<RateLimitVerdict>;

type LimitedFastify = { createRateLimit(): (request: FastifyRequest) => Promise<RateLimitVerdict> };

/**
 * Registers @fastify/rate-limit with its Redis store (fixed windows, one atomic Lua INCR+PEXPIRE
 * per check), global off: only the routes that ApiRateLimitGuard protects are counted, against
 * keys and limits the guard picks per request once it knows the tenant and the API key.
 */
export async function registerRateLimiting(app: NestFastifyApplication, redis: Redis): Promise<void> {
  await app.register(fastifyRateLimit as never, {
    global: false,
    redis,
    // Key layout of STYLE.md: the braces keep one scope's counter on one Redis Cluster shard.
    nameSpace: 'wopi:rate:',
    keyGenerator: (request: ScopedRequest) => `{${request[SCOPE]!.key}}`,
    max: (request: ScopedRequest) => request[SCOPE]!.max,
    timeWindow: (request: ScopedRequest) => request[SCOPE]!.windowMs,
    // Redis down: the request goes on and meets the outage itself (sessions need Redis anyway);
    // a limiter must not turn a Redis blip into a total outage of the session API.
    skipOnError: true,
  });
}

/** The check of an app on which registerRateLimiting() ran. */
export function rateLimitCheckOf(fastify: unknown): RateLimitCheck {
  const limited = fastify as Partial<LimitedFastify>;
  if (typeof limited.createRateLimit !== 'function')
    throw new Error('rate limiting is not registered (createApp does it)');
  const check = limited.createRateLimit();
  return async (request, scope) => {
    (request as ScopedRequest)[SCOPE] = scope;
    return check(request);
  };
}
