import Redis from 'ioredis';
import { TenantCache } from './tenant-cache';
import type { TenantConfig, TenantRepository } from './tenant.repository';

/** Counts reads of a fake repository: what the cache saves is what it does not ask for. */
function repositoryOf(tenant: Partial<TenantConfig>) {
  const reads = { count: 0 };
  const repository = {
    findById: async () => {
      reads.count += 1;
      return { coreApp: {}, ...tenant } as TenantConfig;
    },
  } as unknown as TenantRepository;
  return { repository, reads };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('TenantCache without its change notices', () => {
  // Nothing listens on port 1: the subscription never becomes ready, as when Redis is down.
  let redis: Redis;
  let cache: TenantCache | undefined;

  beforeEach(() => {
    redis = new Redis({ port: 1, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    redis.on('error', () => {});
  });

  afterEach(async () => {
    await cache?.onApplicationShutdown();
    redis.disconnect();
  });

  it('trusts an entry only for the fallback lifetime, not the full one', async () => {
    const { repository, reads } = repositoryOf({ id: 't1' });
    cache = new TenantCache(repository, redis, { channel: 'c', lifetimeMs: 60_000, fallbackLifetimeMs: 50 });
    await cache.findById('t1');
    await cache.findById('t1');
    expect(reads.count).toBe(1);
    await sleep(80);
    await cache.findById('t1');
    expect(reads.count).toBe(2);
  });

  it('drops a tenant at once in its own process when told it changed, even if publishing fails', async () => {
    const { repository, reads } = repositoryOf({ id: 't1' });
    cache = new TenantCache(repository, redis, { channel: 'c', lifetimeMs: 60_000, fallbackLifetimeMs: 10_000 });
    await cache.findById('t1');
    await cache.changed('t1');
    await cache.findById('t1');
    expect(reads.count).toBe(2);
  });

  it('ends an entry when a scheduled core-app secret rotation takes effect', async () => {
    const { repository, reads } = repositoryOf({
      id: 't1',
      coreApp: { credentialChangesAtMs: Date.now() + 40 } as TenantConfig['coreApp'],
    });
    cache = new TenantCache(repository, redis, { channel: 'c', lifetimeMs: 60_000, fallbackLifetimeMs: 10_000 });
    await cache.findById('t1');
    await cache.findById('t1');
    expect(reads.count).toBe(1);
    await sleep(60);
    await cache.findById('t1');
    expect(reads.count).toBe(2);
  });
});
