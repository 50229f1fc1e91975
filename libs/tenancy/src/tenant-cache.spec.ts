import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';
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
  let redis: Redis;
  let cache: TenantCache | undefined;

  beforeEach(() => {
    // Redis is unreachable: publishing fails, and the subscriber connection never gets ready.
    const subscriber = Object.assign(new EventEmitter(), { status: 'reconnecting', disconnect: () => {} });
    redis = {
      publish: async () => {
        throw new Error('Connection is closed.');
      },
      duplicate: () => subscriber,
    } as unknown as Redis;
  });

  afterEach(async () => {
    await cache?.onApplicationShutdown();
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

  it('ends a cached session key when the key expires', async () => {
    let reads = 0;
    const repository = {
      findSessionKeyGrant: async () => {
        reads += 1;
        return { tenant: { id: 't1', coreApp: {} } as TenantConfig, keyExpiresAtMs: Date.now() + 40 };
      },
    } as unknown as TenantRepository;
    cache = new TenantCache(repository, redis, { channel: 'c', lifetimeMs: 60_000, fallbackLifetimeMs: 10_000 });
    await cache.findBySessionApiKey('wgk_key');
    await cache.findBySessionApiKey('wgk_key');
    expect(reads).toBe(1);
    await sleep(60);
    await cache.findBySessionApiKey('wgk_key');
    expect(reads).toBe(2);
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
