import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { CacheInvalidationBus, InvalidationNotConfirmedError } from './cache-invalidation.bus';

/** The bus on real Redis, several buses standing for several processes, on a channel of their own. */
describe('CacheInvalidationBus (real Redis)', () => {
  let redis: Redis;
  let prefix: string;
  let buses: CacheInvalidationBus[];

  const busFor = async () => {
    const bus = new CacheInvalidationBus(redis, prefix);
    await bus.onModuleInit();
    buses.push(bus);
    return bus;
  };

  beforeEach(() => {
    redis = new Redis(process.env.REDIS_URL!);
    prefix = `bus-${randomUUID()}`;
    buses = [];
  });

  afterEach(async () => {
    await Promise.all(buses.map((bus) => bus.onApplicationShutdown()));
    redis.disconnect();
  });

  it('returns from a confirmed invalidation once every member dropped the key', async () => {
    const sender = await busFor();
    const others = await Promise.all([busFor(), busFor(), busFor()]);
    for (let round = 0; round < 50; round++) {
      const copies = others.map((bus) => bus.cache<string>('c', { ttlMs: 60_000, maxEntries: 10 }));
      for (const copy of copies) copy.set('k', 'old');
      await sender.invalidate('c', 'k', { confirm: true });
      expect(copies.map((copy) => copy.get('k'))).toEqual([undefined, undefined, undefined]);
    }
  });

  it('waits for a member that does not answer, then returns once it no longer trusts its caches', async () => {
    const sender = await busFor();
    // A member that registered and went silent (its process hung, or its link died).
    await redis.zadd(`${prefix}:cache-invalidation:members`, Date.now() + 60_000, 'silent-member');
    const started = Date.now();
    await sender.invalidate('c', 'k', { confirm: true });
    const waitedMs = Date.now() - started;
    expect(waitedMs).toBeGreaterThanOrEqual(1_900);
    expect(waitedMs).toBeLessThan(5_000);
  });

  it('refuses to confirm while its own subscription is down', async () => {
    const sender = await busFor();
    await sender.onApplicationShutdown();
    await expect(sender.invalidate('c', 'k', { confirm: true })).rejects.toBeInstanceOf(InvalidationNotConfirmedError);
  });

  it('stops trusting its caches when its subscription stops answering without closing', async () => {
    const bus = await busFor();
    const copy = bus.cache<string>('c', { ttlMs: 60_000, maxEntries: 10 });
    copy.set('k', 'cached');
    expect(copy.get('k')).toBe('cached');
    // The connection stays open but nothing it receives is read: a link that died silently.
    const subscriber = (bus as unknown as { subscriber: Redis }).subscriber;
    const stream = (subscriber as unknown as { stream: { pause(): void; resume(): void } }).stream;
    stream.pause();
    try {
      const deadline = Date.now() + 3_000;
      while (copy.get('k') !== undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(copy.get('k')).toBeUndefined();
    } finally {
      stream.resume();
    }
  });
});
