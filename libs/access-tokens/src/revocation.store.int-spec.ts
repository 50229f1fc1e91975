import { randomUUID } from 'node:crypto';
import { CacheInvalidationBus } from '@wopi/redis';
import Redis from 'ioredis';
import { ACCESS_TOKEN_MAX_TTL_MS } from './access-token.service';
import { RevocationStore } from './revocation.store';

describe('RevocationStore (real Redis)', () => {
  let redis: Redis;
  let store: RevocationStore;
  const tenantId = () => `t-${randomUUID()}`;
  const subject = (tid: string, overrides: Partial<Parameters<RevocationStore['revokedBy']>[0]> = {}) => ({
    tenantId: tid,
    userId: 'bob',
    fileId: 'file-1',
    sessionId: 'session-1',
    issuedAtMs: 1_000,
    ...overrides,
  });

  beforeAll(() => {
    redis = new Redis(process.env.REDIS_URL!);
    store = new RevocationStore(redis);
  });

  afterAll(() => redis.disconnect());

  it('refuses tokens issued up to a user revocation, and accepts later ones', async () => {
    const tid = tenantId();
    expect(await store.revokedBy(subject(tid))).toBeNull();
    await store.revokeUser(tid, 'bob', 2_000);
    expect(await store.revokedBy(subject(tid, { issuedAtMs: 1_999 }))).toBe('user');
    expect(await store.revokedBy(subject(tid, { issuedAtMs: 2_000 }))).toBe('user');
    expect(await store.revokedBy(subject(tid, { issuedAtMs: 2_001 }))).toBeNull();
    expect(await store.revokedBy(subject(tid, { userId: 'alice' }))).toBeNull();
    expect(await store.revokedBy(subject(tenantId()))).toBeNull();
  });

  it('scopes a file revocation to that file and a session revocation to that session, whenever issued', async () => {
    const tid = tenantId();
    await store.revokeFile(tid, 'bob', 'file-1', 2_000);
    expect(await store.revokedBy(subject(tid))).toBe('file');
    expect(await store.revokedBy(subject(tid, { fileId: 'file-2' }))).toBeNull();
    await store.revokeSession(tid, 'bob', 'session-9', 2_000);
    expect(await store.revokedBy(subject(tid, { fileId: 'file-2', sessionId: 'session-9', issuedAtMs: 9_999 }))).toBe(
      'session',
    );
  });

  it('keeps the later of two revocation times (instances’ clocks differ a little)', async () => {
    const tid = tenantId();
    await store.revokeUser(tid, 'bob', 5_000);
    await store.revokeUser(tid, 'bob', 4_000);
    expect(await store.revokedBy(subject(tid, { issuedAtMs: 4_500 }))).toBe('user');
  });

  it('forgets a revocation only after every token it concerns has expired', async () => {
    const tid = tenantId();
    await store.revokeUser(tid, 'bob');
    const ttlMs = await redis.pttl(`wopi:revoked:{${tid}:bob}`);
    expect(ttlMs).toBeGreaterThan(ACCESS_TOKEN_MAX_TTL_MS - 5_000);
    expect(ttlMs).toBeLessThanOrEqual(ACCESS_TOKEN_MAX_TTL_MS);
  });

  describe('with a per-process copy (two processes, each with its own invalidation bus)', () => {
    let buses: CacheInvalidationBus[];
    let here: RevocationStore;
    let there: RevocationStore;

    beforeAll(async () => {
      // A channel of this suite's own, so no other suite's invalidations reach these buses.
      const channelPrefix = `revocation-copy-${randomUUID()}`;
      buses = [new CacheInvalidationBus(redis, channelPrefix), new CacheInvalidationBus(redis, channelPrefix)];
      await Promise.all(buses.map((bus) => bus.onModuleInit()));
      here = new RevocationStore(redis, buses[0]);
      there = new RevocationStore(redis, buses[1]);
    });

    afterAll(async () => {
      await Promise.all((buses ?? []).map((bus) => bus.onApplicationShutdown()));
    });

    it('answers from the copy: a hash changed behind the store’s back is not read again', async () => {
      const tid = tenantId();
      expect(await there.revokedBy(subject(tid))).toBeNull();
      // Written straight into Redis, without the store's invalidation: only a process that asks
      // Redis on every check would see it.
      await redis.hset(`wopi:revoked:{${tid}:bob}`, 'user', '2000');
      expect(await there.revokedBy(subject(tid))).toBeNull();
    });

    it('refuses at once in the other process, for every scope, as soon as the revocation returned', async () => {
      for (let round = 0; round < 20; round++) {
        const tid = tenantId();
        const checks = [subject(tid), subject(tid, { fileId: 'file-2', sessionId: 'session-2' })];
        // Both processes hold a copy saying "nothing revoked".
        for (const check of checks) {
          expect(await here.revokedBy(check)).toBeNull();
          expect(await there.revokedBy(check)).toBeNull();
        }
        if (round % 3 === 0) await here.revokeSession(tid, 'bob', 'session-1');
        else if (round % 3 === 1) await here.revokeFile(tid, 'bob', 'file-1');
        else await here.revokeUser(tid, 'bob');
        const scope = ['session', 'file', 'user'][round % 3];
        expect(await there.revokedBy(checks[0])).toBe(scope);
        expect(await here.revokedBy(checks[0])).toBe(scope);
        // Only a user revocation reaches the user's other file and session.
        expect(await there.revokedBy(checks[1])).toBe(scope === 'user' ? 'user' : null);
      }
    });

    it('asks Redis on every check while its subscription is down, and trusts no older copy after', async () => {
      const tid = tenantId();
      expect(await there.revokedBy(subject(tid))).toBeNull();
      const subscriber = (buses[1] as unknown as { subscriber: Redis }).subscriber;
      subscriber.disconnect();
      await waitUntil(() => subscriber.status === 'end');
      // Revoked behind the bus's back while it is down: the message is lost, Redis has the truth.
      await redis.hset(`wopi:revoked:{${tid}:bob}`, 'user', '2000');
      expect(await there.revokedBy(subject(tid))).toBe('user');
      await redis.hdel(`wopi:revoked:{${tid}:bob}`, 'user');
      expect(await there.revokedBy(subject(tid))).toBeNull();
      await subscriber.connect();
      await waitUntil(() => (buses[1] as unknown as { live: boolean }).live);
      await redis.hset(`wopi:revoked:{${tid}:bob}`, 'user', '2000');
      expect(await there.revokedBy(subject(tid))).toBe('user');
    });
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
