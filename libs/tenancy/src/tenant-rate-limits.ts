/** At most `max` requests in each fixed window of `windowMs`, counted in Redis across every api process. */
export interface RateLimit {
  max: number;
  windowMs: number;
}

/** A tenant's session-API limits (tenants.rate_limits JSON); what is not set takes its default. */
export interface TenantRateLimits {
  /** Each API key of the tenant on its own: one misbehaving core-app instance cannot starve the others. */
  perApiKey: RateLimit;
  /** All of the tenant's keys together: what one product line may ask of the shared gateway. */
  perTenant: RateLimit;
}

/**
 * Sized for a core app's real traffic with room to spare: sessions are opened when people click
 * "open" (a product line with 100,000 daily users opening 20 documents each averages about 25
 * opens a second, a few times that at peak), renewed once per token lifetime and revoked rarely.
 * A second-long window lets a morning rush through while a runaway loop (a thousand calls in a
 * second from one key) is stopped within that second.
 */
export const DEFAULT_TENANT_RATE_LIMITS: TenantRateLimits = {
  perApiKey: { max: 100, windowMs: 1_000 },
  perTenant: { max: 200, windowMs: 1_000 },
};

const BOUNDS = { max: [1, 100_000], windowMs: [1_000, 3_600_000] } as const;

/** A rateLimits setting that is not one; `problems` name each field (`rateLimits.perApiKey.max: ...`). */
export class InvalidTenantRateLimitsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid rateLimits: ${problems.join('; ')}`);
    this.name = 'InvalidTenantRateLimitsError';
  }
}

/**
 * Parses and validates a tenant's rateLimits setting: `{ perApiKey?: { max?, windowMs? },
 * perTenant?: { max?, windowMs? } }`, integers, max 1..100000, windowMs 1000..3600000; an
 * absent part takes its default. The admin API validates a PATCH with it, the repository reads
 * the stored JSON with it. Throws InvalidTenantRateLimitsError listing every bad field.
 */
export function parseTenantRateLimits(input: unknown): TenantRateLimits {
  const problems: string[] = [];
  const limits: TenantRateLimits = {
    perApiKey: { ...DEFAULT_TENANT_RATE_LIMITS.perApiKey },
    perTenant: { ...DEFAULT_TENANT_RATE_LIMITS.perTenant },
  };
  if (input === null || input === undefined) return limits;
  if (typeof input !== 'object' || Array.isArray(input))
    throw new InvalidTenantRateLimitsError(['rateLimits: must be an object']);
  for (const [scope, value] of Object.entries(input)) {
    if (scope !== 'perApiKey' && scope !== 'perTenant') {
      problems.push(`rateLimits.${scope}: unknown (perApiKey, perTenant)`);
      continue;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      problems.push(`rateLimits.${scope}: must be an object { max, windowMs }`);
      continue;
    }
    for (const [field, number] of Object.entries(value as Record<string, unknown>)) {
      if (field !== 'max' && field !== 'windowMs') {
        problems.push(`rateLimits.${scope}.${field}: unknown (max, windowMs)`);
        continue;
      }
      const [low, high] = BOUNDS[field];
      if (typeof number !== 'number' || !Number.isInteger(number) || number < low || number > high) {
        problems.push(`rateLimits.${scope}.${field}: must be an integer from ${low} to ${high}`);
        continue;
      }
      limits[scope][field] = number;
    }
  }
  if (problems.length > 0) throw new InvalidTenantRateLimitsError(problems);
  return limits;
}
