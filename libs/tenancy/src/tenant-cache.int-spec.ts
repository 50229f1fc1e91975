import { randomUUID } from 'node:crypto';
import { CacheInvalidationBus } from '@wopi/redis';
import Redis from 'ioredis';
import { TenantCache } from './tenant-cache';
import type { TenantConfig, TenantRepository } from './tenant.repository';

/**
 * TenantCache on real Redis, two invalidation buses standing for two processes. The repository is
 * a counting stand-in: what the cache saves is the reads it does not make.
 */
function repositoryOf(tenant: () => Partial<TenantConfig>) {
  const reads = { byId: 0, byKey: 0 };
  let gate: Promise<void> | undefined;
  const repository = {
    findById: async () => {
      reads.byId += 1;
      const answer = { coreApp: {}, ...tenant() } as TenantConfig;
      await gate;
      return answer;
    },
    findSessionKeyGrant: async () => {
      reads.byKey += 1;
      return { tenant: { id: 't1', coreApp: {} } as TenantConfig, keyExpiresAtMs: Date.now() + 150 };
    },
  } as unknown as TenantRepository;
  return { repository, reads, holdReads: (until: Promise<void>) => (gate = until) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('TenantCache (real Redis, two processes)', () => {
  let redis: Redis;
  let buses: CacheInvalidationBus[];

  beforeEach(async () => {
    redis = new Redis(process.env.REDIS_URL!);
    const channelPrefix = `tenant-cache-${randomUUID()}`;
    buses = [new CacheInvalidationBus(redis, channelPrefix), new CacheInvalidationBus(redis, channelPrefix)];
    await Promise.all(buses.map((bus) => bus.onModuleInit()));
  });

  afterEach(async () => {
    await Promise.all(buses.map((bus) => bus.onApplicationShutdown()));
    redis.disconnect();
  });

  it('reuses a tenant, and drops it in the other process before changed() returns', async () => {
    let name = 'before';
    const here = repositoryOf(() => ({ id: 't1', displayName: name }));
    const there = repositoryOf(() => ({ id: 't1', displayName: name }));
    const writer = new TenantCache(here.repository, buses[0], { lifetimeMs: 600_000 });
    const reader = new TenantCache(there.repository, buses[1], { lifetimeMs: 600_000 });
    expect((await reader.findById('t1'))?.displayName).toBe('before');
    expect((await reader.findById('t1'))?.displayName).toBe('before');
    expect(there.reads.byId).toBe(1);

    name = 'after';
    await writer.changed('t1');
    // No wait: the change was delivered to every process before changed() returned.
    expect((await reader.findById('t1'))?.displayName).toBe('after');
    expect(there.reads.byId).toBe(2);
  });

  it('does not keep a tenant read before a change that arrived while the read was running', async () => {
    let name = 'before';
    const source = repositoryOf(() => ({ id: 't1', displayName: name }));
    const cache = new TenantCache(source.repository, buses[1], { lifetimeMs: 600_000 });
    let release!: () => void;
    source.holdReads(new Promise<void>((resolve) => (release = resolve)));
    const slowRead = cache.findById('t1');
    await sleep(20);
    name = 'after';
    await new TenantCache(repositoryOf(() => ({})).repository, buses[0], { lifetimeMs: 600_000 }).changed('t1');
    release();
    expect((await slowRead)?.displayName).toBe('before');
    source.holdReads(Promise.resolve());
    expect((await cache.findById('t1'))?.displayName).toBe('after');
  });

  it('reads PostgreSQL on every lookup while its subscription is down', async () => {
    const source = repositoryOf(() => ({ id: 't1' }));
    const cache = new TenantCache(source.repository, buses[1], { lifetimeMs: 600_000 });
    await cache.findById('t1');
    await buses[1].onApplicationShutdown();
    await cache.findById('t1');
    await cache.findById('t1');
    expect(source.reads.byId).toBe(3);
  });

  it('ends a cached session key when the key expires', async () => {
    const source = repositoryOf(() => ({}));
    const cache = new TenantCache(source.repository, buses[1], { lifetimeMs: 600_000 });
    await cache.findBySessionApiKey('wgk_key');
    await cache.findBySessionApiKey('wgk_key');
    expect(source.reads.byKey).toBe(1);
    await sleep(200);
    await cache.findBySessionApiKey('wgk_key');
    expect(source.reads.byKey).toBe(2);
  });

  it('ends an entry when a scheduled core-app secret rotation takes effect', async () => {
    const changesAtMs = Date.now() + 150;
    const source = repositoryOf(() => ({
      id: 't1',
      coreApp: { credentialChangesAtMs: changesAtMs } as TenantConfig['coreApp'],
    }));
    const cache = new TenantCache(source.repository, buses[1], { lifetimeMs: 600_000 });
    await cache.findById('t1');
    await cache.findById('t1');
    expect(source.reads.byId).toBe(1);
    await sleep(200);
    await cache.findById('t1');
    expect(source.reads.byId).toBe(2);
  });
});
