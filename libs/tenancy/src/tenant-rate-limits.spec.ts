import { DEFAULT_TENANT_RATE_LIMITS, InvalidTenantRateLimitsError, parseTenantRateLimits } from './tenant-rate-limits';

function problemsOf(input: unknown): string[] {
  try {
    parseTenantRateLimits(input);
  } catch (error) {
    if (error instanceof InvalidTenantRateLimitsError) return error.problems;
    throw error;
  }
  throw new Error('expected the setting to be refused');
}

describe('parseTenantRateLimits', () => {
  it('gives the defaults for an empty or absent setting', () => {
    expect(parseTenantRateLimits({})).toEqual(DEFAULT_TENANT_RATE_LIMITS);
    expect(parseTenantRateLimits(null)).toEqual(DEFAULT_TENANT_RATE_LIMITS);
    // A thousand calls in one second from one key are over the default.
    expect(
      DEFAULT_TENANT_RATE_LIMITS.perApiKey.max * (1_000 / DEFAULT_TENANT_RATE_LIMITS.perApiKey.windowMs),
    ).toBeLessThan(1_000);
  });

  it('overrides only what is set', () => {
    expect(parseTenantRateLimits({ perApiKey: { max: 5 } })).toEqual({
      perApiKey: { max: 5, windowMs: DEFAULT_TENANT_RATE_LIMITS.perApiKey.windowMs },
      perTenant: DEFAULT_TENANT_RATE_LIMITS.perTenant,
    });
  });

  it('names every bad field', () => {
    expect(problemsOf({ perApiKey: { max: 0, windowMs: 1.5, burst: 3 }, perTenant: 'many', perUser: {} })).toEqual([
      'rateLimits.perApiKey.max: must be an integer from 1 to 100000',
      'rateLimits.perApiKey.windowMs: must be an integer from 1000 to 3600000',
      'rateLimits.perApiKey.burst: unknown (max, windowMs)',
      'rateLimits.perTenant: must be an object { max, windowMs }',
      'rateLimits.perUser: unknown (perApiKey, perTenant)',
    ]);
    expect(problemsOf([])).toEqual(['rateLimits: must be an object']);
    expect(problemsOf({ perTenant: { max: '100' } })).toEqual([
      'rateLimits.perTenant.max: must be an integer from 1 to 100000',
    ]);
  });
});
