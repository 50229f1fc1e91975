import { randomUUID } from 'node:crypto';
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
});
