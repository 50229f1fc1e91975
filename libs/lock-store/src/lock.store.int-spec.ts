// Integration tests of the lock store against the run's real Redis (test/setup/global-setup.ts):
// the real Lua scripts, real connections, real expiry. Every test uses its own random tenant.
import { randomBytes, randomUUID } from 'node:crypto';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { RedisModule, redisOptionsFromUrl } from '@wopi/redis';
import Redis, { type RedisOptions } from 'ioredis';
import { InvalidLockIdError } from './invalid-lock-id.error';
import { MAX_LOCK_ID_LENGTH } from './lock-id';
import { lockKey } from './lock-key';
import { LockFailureReason, type LockHolder, type SaveFence } from './lock-results';
import { LockStoreUnavailableError } from './lock-store-unavailable.error';
import { LockStoreModule } from './lock-store.module';
import { LOCK_TTL_MS } from './lock-ttl';
import { LockStore } from './lock.store';

const ALICE: LockHolder = { userId: 'tenant-a|alice', clientProfile: 'office-online' };
const BOB: LockHolder = { userId: 'tenant-a|bob', clientProfile: 'collabora' };

function redisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('run through Jest: test/setup/global-setup.ts sets REDIS_URL');
  return url;
}

/** A random tenant per test, prefixed with the run id: several runs may share one Redis. */
function newTenantId(): string {
  return `test-${process.env.WOPI_TEST_RUN_ID ?? 'local'}-${randomUUID()}`;
}

function newFileId(): string {
  return randomBytes(16).toString('base64url');
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('LockStore (real Redis)', () => {
  const clients: Redis[] = [];

  /** A connection configured like RedisModule's shared client. */
  function newClient(url = redisUrl(), extra: RedisOptions = {}): Redis {
    const client = new Redis({
      ...redisOptionsFromUrl(url),
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
      ...extra,
    });
    clients.push(client);
    return client;
  }

  let redis: Redis;
  let store: LockStore;
  let tenantId: string;
  let fileId: string;

  beforeAll(() => {
    redis = newClient();
    store = new LockStore(redis);
  });

  beforeEach(() => {
    tenantId = newTenantId();
    fileId = newFileId();
  });

  afterAll(async () => {
    // quit() lets a live connection finish; one that is down or already closed is just dropped.
    await Promise.all(clients.map(async (client) => (client.status === 'ready' ? client.quit() : client.disconnect())));
  });

  describe('key layout', () => {
    it('keeps one hash per file at wopi:lock:{<tenantId>:<fileId>} with the holder metadata', async () => {
      await store.lock(tenantId, fileId, 'L1', ALICE);

      const key = `wopi:lock:{${tenantId}:${fileId}}`;
      expect(lockKey(tenantId, fileId)).toBe(key);
      expect(await redis.type(key)).toBe('hash');
      const hash = await redis.hgetall(key);
      expect(hash).toEqual({
        lock: 'L1',
        acquiredAt: expect.stringMatching(/^\d{13}$/),
        refreshedAt: hash.acquiredAt,
        refreshCount: '0',
        userId: ALICE.userId,
        clientProfile: ALICE.clientProfile,
        access: 'edit',
        fence: expect.stringMatching(/^[\w-]{16}$/),
      });
      const pttl = await redis.pttl(key);
      expect(pttl).toBeGreaterThan(LOCK_TTL_MS - 5_000);
      expect(pttl).toBeLessThanOrEqual(LOCK_TTL_MS);
    });

    it('keeps the same file ID of two tenants apart', async () => {
      const otherTenantId = newTenantId();
      expect(await store.lock(tenantId, fileId, 'L1', ALICE)).toEqual({ ok: true, outcome: 'acquired' });
      expect(await store.lock(otherTenantId, fileId, 'L2', BOB)).toEqual({ ok: true, outcome: 'acquired' });
      expect(await store.getLock(tenantId, fileId)).toEqual({ ok: true, currentLock: 'L1' });
      expect(await store.getLock(otherTenantId, fileId)).toEqual({ ok: true, currentLock: 'L2' });
    });
  });

  describe('lock', () => {
    it('locks an unlocked file (Lock: 200)', async () => {
      expect(await store.lock(tenantId, fileId, 'L1', ALICE)).toEqual({ ok: true, outcome: 'acquired' });
      expect(await store.getLock(tenantId, fileId)).toEqual({ ok: true, currentLock: 'L1' });
    });

    it('treats the same lock ID as RefreshLock: resets the timer, keeps the holder (Lock spec)', async () => {
      await store.lock(tenantId, fileId, 'L1', ALICE, { lockTtlMs: 5_000 });
      // Locks are not user-owned (concepts, "Lock"): another user's token with the same ID succeeds.
      expect(await store.lock(tenantId, fileId, 'L1', BOB)).toEqual({ ok: true, outcome: 'refreshed' });

      const seen = await store.inspect(tenantId, fileId);
      expect(seen).toMatchObject({ lockId: 'L1', holder: ALICE, refreshCount: 1 });
      expect(seen!.expiresInMs).toBeGreaterThan(LOCK_TTL_MS - 5_000);
      expect(seen!.refreshedAt).toBeGreaterThanOrEqual(seen!.acquiredAt);
    });

    it('answers a different lock ID with a conflict carrying the current lock (Lock: 409)', async () => {
      await store.lock(tenantId, fileId, 'L1', ALICE);
      expect(await store.lock(tenantId, fileId, 'L2', BOB)).toEqual({
        ok: false,
        currentLock: 'L1',
        reason: LockFailureReason.LockMismatch,
      });
      expect(await store.inspect(tenantId, fileId)).toMatchObject({ lockId: 'L1', holder: ALICE, refreshCount: 0 });
    });

    it('lets exactly one of two concurrent lock() calls win; the loser sees the winner (x25)', async () => {
      const alice = new LockStore(newClient());
      const bob = new LockStore(newClient());
      for (let attempt = 0; attempt < 25; attempt++) {
        const file = newFileId();
        const [a, b] = await Promise.all([alice.lock(tenantId, file, 'A', ALICE), bob.lock(tenantId, file, 'B', BOB)]);
        const winners = [a, b].filter((result) => result.ok);
        expect(winners).toHaveLength(1);
        const [winnerId, loser] = a.ok ? ['A', b] : ['B', a];
        expect(loser).toEqual({ ok: false, currentLock: winnerId, reason: LockFailureReason.LockMismatch });
        expect(await store.getLock(tenantId, file)).toEqual({ ok: true, currentLock: winnerId });
      }
    });

    it('lets exactly one of 50 simultaneous lock() calls on separate connections win', async () => {
      const racers = Array.from({ length: 50 }, () => new LockStore(newClient()));
      await Promise.all(racers.map((racer) => racer.getLock(tenantId, fileId))); // connect first
      const results = await Promise.all(racers.map((racer, i) => racer.lock(tenantId, fileId, `racer-${i}`, ALICE)));

      const winners = results.flatMap((result, i) => (result.ok ? [`racer-${i}`] : []));
      expect(winners).toHaveLength(1);
      for (const result of results.filter((r) => !r.ok)) {
        expect(result).toEqual({ ok: false, currentLock: winners[0], reason: LockFailureReason.LockMismatch });
      }
    });
  });

  describe('unlock', () => {
    it('releases a matching lock (Unlock: 200)', async () => {
      await store.lock(tenantId, fileId, 'L1', ALICE);
      // Another user with the right lock ID may unlock (concepts, "Lock": locks are not user-owned).
      expect(await store.unlock(tenantId, fileId, 'L1')).toEqual({ ok: true });
      expect(await store.getLock(tenantId, fileId)).toEqual({ ok: true, currentLock: '' });
      expect(await redis.exists(lockKey(tenantId, fileId))).toBe(0);
    });

    it('answers a different lock ID with the current lock and keeps it (Unlock: 409)', async () => {
      await store.lock(tenantId, fileId, 'L1', ALICE);
      expect(await store.unlock(tenantId, fileId, 'L2')).toEqual({
        ok: false,
        currentLock: 'L1',
        reason: LockFailureReason.LockMismatch,
      });
      expect(await store.getLock(tenantId, fileId)).toEqual({ ok: true, currentLock: 'L1' });
    });

    it("answers an unlocked file with a conflict and current lock '' (lock409 fragment)", async () => {
      expect(await store.unlock(tenantId, fileId, 'L1')).toEqual({
        ok: false,
        currentLock: '',
        reason: LockFailureReason.NotLocked,
      });
    });
  });

  describe('refreshLock', () => {
    it('extends a matching lock past its original expiry (RefreshLock: 200)', async () => {
      await store.lock(tenantId, fileId, 'L1', ALICE, { lockTtlMs: 1_000 });
      await sleep(600);
      expect(await store.refreshLock(tenantId, fileId, 'L1', { lockTtlMs: 1_000 })).toEqual({ ok: true });
      const refreshed = await store.inspect(tenantId, fileId);
      expect(refreshed).toMatchObject({ lockId: 'L1', holder: ALICE, refreshCount: 1 });
      expect(refreshed!.expiresInMs).toBeGreaterThan(700);
      expect(refreshed!.refreshedAt - refreshed!.acquiredAt).toBeGreaterThanOrEqual(550);

      await sleep(600); // 1.2 s after Lock: the original 1 s has run out, the refreshed one has not
      expect(await store.getLock(tenantId, fileId)).toEqual({ ok: true, currentLock: 'L1' });
      await sleep(700); // 1.3 s after RefreshLock
      expect(await store.getLock(tenantId, fileId)).toEqual({ ok: true, currentLock: '' });
    });

    it('resets the timer to 30 minutes by default (RefreshLock spec)', async () => {
      await store.lock(tenantId, fileId, 'L1', ALICE, { lockTtlMs: 10_000 });
      await store.refreshLock(tenantId, fileId, 'L1');
      expect((await store.inspect(tenantId, fileId))!.expiresInMs).toBeGreaterThan(LOCK_TTL_MS - 5_000);
    });

    it('answers a different lock ID with the current lock and leaves its timer alone (RefreshLock: 409)', async () => {
      await store.lock(tenantId, fileId, 'L1', ALICE, { lockTtlMs: 10_000 });
      expect(await store.refreshLock(tenantId, fileId, 'L2')).toEqual({
        ok: false,
        currentLock: 'L1',
        reason: LockFailureReason.LockMismatch,
      });
      const seen = await store.inspect(tenantId, fileId);
      expect(seen!.expiresInMs).toBeLessThanOrEqual(10_000);
      expect(seen!.refreshCount).toBe(0);
    });

    it("answers an unlocked file with current lock '' and does not lock it", async () => {
      expect(await store.refreshLock(tenantId, fileId, 'L1')).toEqual({
        ok: false,
        currentLock: '',
        reason: LockFailureReason.NotLocked,
      });
      expect(await redis.exists(lockKey(tenantId, fileId))).toBe(0);
    });
  });

  describe('unlockAndRelock', () => {
    it('replaces a matching lock with a new one, holder and expiry (UnlockAndRelock: 200)', async () => {
      await store.lock(tenantId, fileId, 'L1', ALICE, { lockTtlMs: 10_000 });
      await store.refreshLock(tenantId, fileId, 'L1', { lockTtlMs: 10_000 });
      expect(await store.unlockAndRelock(tenantId, fileId, 'L1', 'L2', BOB)).toEqual({ ok: true });

      const seen = await store.inspect(tenantId, fileId);
      expect(seen).toMatchObject({ lockId: 'L2', holder: BOB, refreshCount: 0 });
      expect(seen!.refreshedAt).toBe(seen!.acquiredAt);
      expect(seen!.expiresInMs).toBeGreaterThan(LOCK_TTL_MS - 5_000);
      expect(await store.unlock(tenantId, fileId, 'L1')).toMatchObject({ ok: false, currentLock: 'L2' });
    });

    it('answers a wrong old lock with the current lock and changes nothing (UnlockAndRelock: 409)', async () => {
      await store.lock(tenantId, fileId, 'L1', ALICE);
      expect(await store.unlockAndRelock(tenantId, fileId, 'WRONG', 'L2', BOB)).toEqual({
        ok: false,
        currentLock: 'L1',
        reason: LockFailureReason.OldLockMismatch,
      });
      expect(await store.inspect(tenantId, fileId)).toMatchObject({ lockId: 'L1', holder: ALICE });
    });

    it("answers an unlocked file with current lock '' and takes no lock (UnlockAndRelock spec)", async () => {
      expect(await store.unlockAndRelock(tenantId, fileId, 'L1', 'L2', BOB)).toEqual({
        ok: false,
        currentLock: '',
        reason: LockFailureReason.NotLocked,
      });
      expect(await store.getLock(tenantId, fileId)).toEqual({ ok: true, currentLock: '' });
    });

    it('honours a per-call expiry', async () => {
      await store.lock(tenantId, fileId, 'L1', ALICE);
      await store.unlockAndRelock(tenantId, fileId, 'L1', 'L2', ALICE, { lockTtlMs: 150 });
      await sleep(300);
      expect(await store.getLock(tenantId, fileId)).toEqual({ ok: true, currentLock: '' });
    });
  });

  describe('getLock', () => {
    it("returns '' for an unlocked file (GetLock: 200 with an empty X-WOPI-Lock)", async () => {
      expect(await store.getLock(tenantId, fileId)).toEqual({ ok: true, currentLock: '' });
    });

    it('returns the current lock without changing it', async () => {
      await store.lock(tenantId, fileId, 'L1', ALICE, { lockTtlMs: 10_000 });
      expect(await store.getLock(tenantId, fileId)).toEqual({ ok: true, currentLock: 'L1' });
      expect((await store.inspect(tenantId, fileId))!.refreshCount).toBe(0);
    });

    it("answers a lock not representable as a WOPI lock with 409 and '' (GetLock spec)", async () => {
      // Only something other than this store could write such a lock; simulate that.
      const foreign = 'x'.repeat(MAX_LOCK_ID_LENGTH + 1);
      await redis.hset(lockKey(tenantId, fileId), 'lock', foreign);
      await redis.pexpire(lockKey(tenantId, fileId), 10_000);

      expect(await store.getLock(tenantId, fileId)).toEqual({
        ok: false,
        currentLock: '',
        reason: LockFailureReason.LockNotRepresentable,
      });
      // Mismatches must not echo it either (no_lock_id fragment).
      expect(await store.lock(tenantId, fileId, 'L1', ALICE)).toEqual({
        ok: false,
        currentLock: '',
        reason: LockFailureReason.LockMismatch,
      });
    });
  });

  describe('expiry', () => {
    it('drops a lock on its own after its TTL; the file can then be locked by another ID', async () => {
      await store.lock(tenantId, fileId, 'L1', ALICE, { lockTtlMs: 300 });
      expect(await store.lock(tenantId, fileId, 'L2', BOB)).toMatchObject({ ok: false, currentLock: 'L1' });
      await sleep(450);

      expect(await store.getLock(tenantId, fileId)).toEqual({ ok: true, currentLock: '' });
      expect(await store.refreshLock(tenantId, fileId, 'L1')).toEqual({
        ok: false,
        currentLock: '',
        reason: LockFailureReason.NotLocked,
      });
      expect(await store.lock(tenantId, fileId, 'L2', BOB)).toEqual({ ok: true, outcome: 'acquired' });
      expect(await store.inspect(tenantId, fileId)).toMatchObject({ lockId: 'L2', holder: BOB, refreshCount: 0 });
    });

    it('lets a same-ID Lock extend the timer like RefreshLock', async () => {
      await store.lock(tenantId, fileId, 'L1', ALICE, { lockTtlMs: 800 });
      await sleep(500);
      expect(await store.lock(tenantId, fileId, 'L1', ALICE, { lockTtlMs: 800 })).toEqual({
        ok: true,
        outcome: 'refreshed',
      });
      await sleep(500); // 1 s after the first Lock: past its 800 ms, within the refreshed 800 ms
      expect(await store.getLock(tenantId, fileId)).toEqual({ ok: true, currentLock: 'L1' });
    });

    it('refuses a TTL that is not a positive whole number of milliseconds', async () => {
      await expect(store.lock(tenantId, fileId, 'L1', ALICE, { lockTtlMs: 0 })).rejects.toThrow(RangeError);
      await expect(store.refreshLock(tenantId, fileId, 'L1', { lockTtlMs: 1.5 })).rejects.toThrow(RangeError);
      expect(await redis.exists(lockKey(tenantId, fileId))).toBe(0);
    });
  });

  describe('lock IDs', () => {
    it('stores and echoes a 1024-character lock ID byte for byte', async () => {
      const longest = Array.from({ length: MAX_LOCK_ID_LENGTH }, (_, i) => String.fromCharCode(0x20 + (i % 95))).join(
        '',
      );
      expect(longest).toHaveLength(1024);
      expect(await store.lock(tenantId, fileId, longest, ALICE)).toEqual({ ok: true, outcome: 'acquired' });
      expect(await store.getLock(tenantId, fileId)).toEqual({ ok: true, currentLock: longest });
      expect(await store.unlock(tenantId, fileId, 'other')).toEqual({
        ok: false,
        currentLock: longest,
        reason: LockFailureReason.LockMismatch,
      });
      expect(await store.lock(tenantId, fileId, longest, ALICE)).toEqual({ ok: true, outcome: 'refreshed' });
      expect(await store.unlockAndRelock(tenantId, fileId, longest, `${longest.slice(1)}!`, BOB)).toEqual({ ok: true });
    });

    it('treats the ID as opaque: JSON, quotes, Lua pattern characters and spaces', async () => {
      const officeLike = '{"S":"0f1e2d3c","F":4,"E":2,"M":"%a+.-*?[^]$ \\" \t"}';
      await store.lock(tenantId, fileId, officeLike, ALICE);
      // Only exact equality matches: a prefix or a pattern-like look-alike does not.
      expect(await store.unlock(tenantId, fileId, officeLike.slice(0, -1))).toMatchObject({ ok: false });
      expect(await store.unlock(tenantId, fileId, '.*')).toMatchObject({ ok: false, currentLock: officeLike });
      expect(await store.unlock(tenantId, fileId, officeLike)).toEqual({ ok: true });
    });

    it('refuses a lock ID above 1024 characters before touching Redis', async () => {
      const tooLong = 'x'.repeat(MAX_LOCK_ID_LENGTH + 1);
      await expect(store.lock(tenantId, fileId, tooLong, ALICE)).rejects.toMatchObject({
        name: 'InvalidLockIdError',
        problem: 'too-long',
        argument: 'lockId',
      });
      expect(await redis.exists(lockKey(tenantId, fileId))).toBe(0);
    });

    it('refuses non-ASCII and empty IDs on every operation that takes one (ASCII-only policy)', async () => {
      await store.lock(tenantId, fileId, 'L1', ALICE);
      const calls: [string, () => Promise<unknown>][] = [
        ['lock', () => store.lock(tenantId, fileId, 'caf\u00e9', ALICE)],
        ['unlock', () => store.unlock(tenantId, fileId, 'lock-\u{1f512}')],
        ['refreshLock', () => store.refreshLock(tenantId, fileId, '\u4e2d')],
        ['unlockAndRelock old', () => store.unlockAndRelock(tenantId, fileId, 'L1\u00a0', 'L2', ALICE)],
        ['unlockAndRelock new', () => store.unlockAndRelock(tenantId, fileId, 'L1', 'L2\n', ALICE)],
        ['forceUnlock', () => store.forceUnlock(tenantId, fileId, '\u00ff')],
        ['lock empty', () => store.lock(tenantId, fileId, '', ALICE)],
        ['unlock empty', () => store.unlock(tenantId, fileId, '')],
      ];
      for (const [, call] of calls) await expect(call()).rejects.toThrow(InvalidLockIdError);
      expect(await store.inspect(tenantId, fileId)).toMatchObject({ lockId: 'L1', holder: ALICE, refreshCount: 0 });
    });
  });

  describe('inspect', () => {
    it('returns null for an unlocked file', async () => {
      expect(await store.inspect(tenantId, fileId)).toBeNull();
    });

    it('shows the holder, the times on the Redis clock and the age', async () => {
      const before = Date.now();
      await store.lock(tenantId, fileId, 'L1', ALICE);
      await sleep(120);
      const seen = await store.inspect(tenantId, fileId);

      expect(seen).toEqual({
        lockId: 'L1',
        holder: ALICE,
        acquiredAt: expect.any(Number),
        refreshedAt: seen!.acquiredAt,
        refreshCount: 0,
        ageMs: expect.any(Number),
        expiresInMs: expect.any(Number),
      });
      // The test's Redis runs on this machine, so its clock is ours give or take a little.
      expect(Math.abs(seen!.acquiredAt - before)).toBeLessThan(2_000);
      expect(seen!.ageMs).toBeGreaterThanOrEqual(100);
      expect(seen!.ageMs).toBeLessThan(5_000);
      expect(seen!.expiresInMs).toBeLessThanOrEqual(LOCK_TTL_MS - 100);
    });
  });

  describe('forceUnlock', () => {
    it('removes any lock without an expected ID and reports what it removed', async () => {
      await store.lock(tenantId, fileId, 'L1', ALICE);
      const result = await store.forceUnlock(tenantId, fileId);
      expect(result).toEqual({ ok: true, released: expect.objectContaining({ lockId: 'L1', holder: ALICE }) });
      expect(await store.getLock(tenantId, fileId)).toEqual({ ok: true, currentLock: '' });
    });

    it('succeeds with nothing released on an unlocked file', async () => {
      expect(await store.forceUnlock(tenantId, fileId)).toEqual({ ok: true, released: null });
    });

    it('compares and deletes when given the expected lock ID', async () => {
      await store.lock(tenantId, fileId, 'L1', ALICE);
      expect(await store.forceUnlock(tenantId, fileId, 'L1')).toMatchObject({ ok: true, released: { lockId: 'L1' } });
      expect(await redis.exists(lockKey(tenantId, fileId))).toBe(0);
    });

    it('keeps a lock that changed since support looked at it', async () => {
      await store.lock(tenantId, fileId, 'L2', BOB);
      expect(await store.forceUnlock(tenantId, fileId, 'L1')).toEqual({
        ok: false,
        currentLock: 'L2',
        reason: LockFailureReason.LockMismatch,
      });
      expect(await store.getLock(tenantId, fileId)).toEqual({ ok: true, currentLock: 'L2' });
    });

    it("reports '' when the expected lock is already gone", async () => {
      expect(await store.forceUnlock(tenantId, fileId, 'L1')).toEqual({
        ok: false,
        currentLock: '',
        reason: LockFailureReason.NotLocked,
      });
    });
  });

  describe('fail closed', () => {
    it('throws LockStoreUnavailableError from every operation when Redis is unreachable', async () => {
      // disconnectTimeout only shortens ioredis's 2 s wait for the refused socket at disconnect(),
      // which would otherwise keep Jest alive after the run.
      const down = newClient('redis://127.0.0.1:1', { disconnectTimeout: 50 });
      down.on('error', () => undefined); // reconnect noise; the failures are asserted below
      const unreachable = new LockStore(down);
      const started = Date.now();

      const calls: [string, () => Promise<unknown>][] = [
        ['lock', () => unreachable.lock(tenantId, fileId, 'L1', ALICE)],
        ['unlock', () => unreachable.unlock(tenantId, fileId, 'L1')],
        ['refreshLock', () => unreachable.refreshLock(tenantId, fileId, 'L1')],
        ['unlockAndRelock', () => unreachable.unlockAndRelock(tenantId, fileId, 'L1', 'L2', ALICE)],
        ['getLock', () => unreachable.getLock(tenantId, fileId)],
        ['inspect', () => unreachable.inspect(tenantId, fileId)],
        ['forceUnlock', () => unreachable.forceUnlock(tenantId, fileId)],
      ];
      try {
        const outcomes = await Promise.all(
          calls.map(([, call]) =>
            call().then(
              (result) => result,
              (error: unknown) => error,
            ),
          ),
        );
        outcomes.forEach((outcome, i) => {
          expect(outcome).toBeInstanceOf(LockStoreUnavailableError);
          expect(outcome).toMatchObject({ operation: calls[i][0], tenantId, fileId, cause: expect.any(Error) });
        });
        // The shared client's maxRetriesPerRequest (2) fails queued commands after a few reconnect
        // attempts instead of holding them until Redis returns.
        expect(Date.now() - started).toBeLessThan(5_000);
      } finally {
        down.disconnect();
      }
    });

    it('throws LockStoreUnavailableError when a command fails, never reporting "unlocked"', async () => {
      // A key of the wrong type makes every command on it fail (WRONGTYPE).
      await redis.set(lockKey(tenantId, fileId), 'not-a-hash', 'PX', 10_000);
      await expect(store.getLock(tenantId, fileId)).rejects.toBeInstanceOf(LockStoreUnavailableError);
      await expect(store.lock(tenantId, fileId, 'L1', ALICE)).rejects.toBeInstanceOf(LockStoreUnavailableError);
      await expect(store.unlock(tenantId, fileId, 'L1')).rejects.toBeInstanceOf(LockStoreUnavailableError);
      await expect(store.inspect(tenantId, fileId)).rejects.toBeInstanceOf(LockStoreUnavailableError);
    });

    it('keeps working after the script cache is flushed, as after a Redis restart (EVALSHA -> EVAL)', async () => {
      await store.lock(tenantId, fileId, 'L1', ALICE); // scripts now cached under their SHA
      await redis.script('FLUSH');
      expect(await store.unlockAndRelock(tenantId, fileId, 'L1', 'L2', ALICE)).toEqual({ ok: true });
      expect(await store.refreshLock(tenantId, fileId, 'L2')).toEqual({ ok: true });
    });
  });

  describe('50 clients racing on one file', () => {
    it('never lets two clients hold the lock, and every conflict names a real lock', async () => {
      const CLIENTS = 50;
      const ROUNDS = 60;
      const racers = Array.from({ length: CLIENTS }, () => new LockStore(newClient()));
      await Promise.all(racers.map((racer) => racer.getLock(tenantId, fileId))); // connect first

      // Reference model. A client claims the lock when its success reply arrives and gives the claim
      // up before it sends its release, so each claim lies inside the client's real holding time:
      // two overlapping claims would prove two real holders. With the default 30 min TTL nothing
      // expires during the test, so a holder's own refresh, relock and unlock must all succeed.
      let claimedBy: number | null = null;
      const sentLockIds = new Set<string>();
      const violations: string[] = [];
      const counts = { acquired: 0, conflicts: 0, relocked: 0, refused: 0 };

      async function race(client: number): Promise<void> {
        const racer = racers[client];
        let generation = 0;
        let held: string | null = null;
        const nextLockId = () => {
          const lockId = `client-${client}-gen-${generation++}`;
          sentLockIds.add(lockId);
          return lockId;
        };
        const checkConflictNamesAnotherLock = (what: string, currentLock: string, own: string) => {
          if (currentLock === own || (currentLock !== '' && !sentLockIds.has(currentLock))) {
            violations.push(`${what} by ${client}: conflict names ${JSON.stringify(currentLock)}`);
          }
        };

        for (let round = 0; round < ROUNDS; round++) {
          await sleep(Math.random() * 2);
          if (held === null) {
            const lockId = nextLockId();
            if (generation > 2 && Math.random() < 0.3) {
              // A stale old lock (one this client released earlier) must never relock (UnlockAndRelock spec).
              const stale = `client-${client}-gen-${generation - 3}`;
              const result = await racer.unlockAndRelock(tenantId, fileId, stale, lockId, ALICE);
              if (result.ok) violations.push(`stale relock by ${client} succeeded`);
              else checkConflictNamesAnotherLock('unlockAndRelock', result.currentLock, stale);
              counts.refused++;
              continue;
            }
            const result = await racer.lock(tenantId, fileId, lockId, ALICE);
            if (result.ok) {
              if (result.outcome !== 'acquired') violations.push(`lock by ${client} was ${result.outcome}`);
              if (claimedBy !== null) violations.push(`client ${client} acquired while ${claimedBy} held it`);
              claimedBy = client;
              held = lockId;
              counts.acquired++;
            } else {
              // Lock only conflicts with a locked file, so the winner's ID must be there.
              if (result.currentLock === '') violations.push(`lock by ${client} conflicted with no lock`);
              checkConflictNamesAnotherLock('lock', result.currentLock, lockId);
              counts.conflicts++;
            }
            continue;
          }

          if (claimedBy !== client) violations.push(`client ${client} holds ${held} but the claim is ${claimedBy}`);
          const move = Math.random();
          if (move < 0.3) {
            const lockId = nextLockId();
            const result = await racer.unlockAndRelock(tenantId, fileId, held, lockId, BOB);
            if (!result.ok) violations.push(`holder ${client} could not relock: ${JSON.stringify(result)}`);
            held = lockId;
            counts.relocked++;
          } else if (move < 0.45) {
            const result = await racer.lock(tenantId, fileId, held, ALICE);
            if (!result.ok || result.outcome !== 'refreshed')
              violations.push(`holder ${client} re-Lock: ${JSON.stringify(result)}`);
          } else {
            claimedBy = null; // before sending: see the reference model above
            const result = await racer.unlock(tenantId, fileId, held);
            if (!result.ok) violations.push(`holder ${client} could not unlock: ${JSON.stringify(result)}`);
            held = null;
          }
        }
        if (held !== null) {
          claimedBy = null;
          const result = await racer.unlock(tenantId, fileId, held);
          if (!result.ok) violations.push(`holder ${client} could not unlock at the end: ${JSON.stringify(result)}`);
        }
      }

      await Promise.all(racers.map((_, client) => race(client)));

      expect(violations).toEqual([]);
      // The race really raced: many hand-overs, many conflicts, relocks and refused stale relocks.
      expect(counts.acquired).toBeGreaterThan(15);
      expect(counts.conflicts).toBeGreaterThan(100);
      expect(counts.relocked).toBeGreaterThan(5);
      expect(counts.refused).toBeGreaterThan(20);
      expect(await store.getLock(tenantId, fileId)).toEqual({ ok: true, currentLock: '' });
    });
  });

  describe('LockStoreModule', () => {
    it('provides LockStore on the global REDIS client of RedisModule', async () => {
      @Module({ imports: [RedisModule.forRoot(redisUrl()), LockStoreModule] })
      class AppModule {}

      const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
      try {
        const injected = app.get(LockStore);
        expect(await injected.lock(tenantId, fileId, 'L1', ALICE)).toEqual({ ok: true, outcome: 'acquired' });
        expect(await store.getLock(tenantId, fileId)).toEqual({ ok: true, currentLock: 'L1' });
      } finally {
        await app.close();
      }
    });
  });

  describe('save fence', () => {
    it('holds while the lock the save started under is still there, refreshes included', async () => {
      await store.lock(tenantId, fileId, 'L1', ALICE);
      const fence = await store.readSaveFence(tenantId, fileId);
      expect(fence).toEqual({ lockId: 'L1', fence: expect.any(String) });
      expect(await store.refreshLock(tenantId, fileId, 'L1')).toEqual({ ok: true });
      expect(await store.lock(tenantId, fileId, 'L1', ALICE)).toEqual({ ok: true, outcome: 'refreshed' });
      expect(await store.checkSaveFence(tenantId, fileId, fence as SaveFence)).toEqual({ ok: true });
    });

    it('breaks when the lock is released, replaced, or taken again with the same ID', async () => {
      await store.lock(tenantId, fileId, 'L1', ALICE);
      const fence = (await store.readSaveFence(tenantId, fileId)) as SaveFence;
      await store.unlock(tenantId, fileId, 'L1');
      expect(await store.checkSaveFence(tenantId, fileId, fence)).toEqual({
        ok: false,
        currentLock: '',
        reason: LockFailureReason.NotLocked,
      });
      await store.lock(tenantId, fileId, 'L1', BOB);
      expect(await store.checkSaveFence(tenantId, fileId, fence)).toEqual({
        ok: false,
        currentLock: 'L1',
        reason: LockFailureReason.LockLost,
      });
      const second = (await store.readSaveFence(tenantId, fileId)) as SaveFence;
      expect(await store.unlockAndRelock(tenantId, fileId, 'L1', 'L2', BOB)).toEqual({ ok: true });
      expect(await store.checkSaveFence(tenantId, fileId, second)).toEqual({
        ok: false,
        currentLock: 'L2',
        reason: LockFailureReason.LockLost,
      });
    });

    it('for a save that found the file unlocked, holds only while it stays unlocked', async () => {
      const unlocked = await store.readSaveFence(tenantId, fileId);
      expect(unlocked).toEqual({ lockId: '', fence: '' });
      expect(await store.checkSaveFence(tenantId, fileId, unlocked as SaveFence)).toEqual({ ok: true });
      await store.lock(tenantId, fileId, 'L1', ALICE);
      expect(await store.checkSaveFence(tenantId, fileId, unlocked as SaveFence)).toEqual({
        ok: false,
        currentLock: 'L1',
        reason: LockFailureReason.LockMismatch,
      });
    });
  });

  describe('locks of view-only sessions', () => {
    const VIEWER = { ...BOB, access: 'view' as const };

    it('never keep an editor out: the editor lock replaces a viewer lock', async () => {
      expect(await store.lock(tenantId, fileId, 'V1', VIEWER)).toEqual({ ok: true, outcome: 'acquired' });
      expect(await store.lock(tenantId, fileId, 'E1', ALICE)).toEqual({
        ok: true,
        outcome: 'replaced-view-lock',
        replacedLockId: 'V1',
      });
      expect(await store.getLock(tenantId, fileId)).toEqual({ ok: true, currentLock: 'E1' });
      // The viewer's lock is gone: its refresh is a conflict naming the editor's lock.
      expect(await store.refreshLock(tenantId, fileId, 'V1')).toEqual({
        ok: false,
        currentLock: 'E1',
        reason: LockFailureReason.LockMismatch,
      });
    });

    it('do not replace an editor lock, nor another viewer lock', async () => {
      await store.lock(tenantId, fileId, 'E1', ALICE);
      expect(await store.lock(tenantId, fileId, 'V1', VIEWER)).toMatchObject({ ok: false, currentLock: 'E1' });
      const other = newFileId();
      await store.lock(tenantId, other, 'V1', VIEWER);
      expect(await store.lock(tenantId, other, 'V2', VIEWER)).toMatchObject({ ok: false, currentLock: 'V1' });
    });

    it('become edit locks when an editor joins with the same lock ID (co-authoring)', async () => {
      await store.lock(tenantId, fileId, 'shared', VIEWER);
      expect(await store.lock(tenantId, fileId, 'shared', ALICE)).toEqual({ ok: true, outcome: 'refreshed' });
      expect(await store.lock(tenantId, fileId, 'other-editor', ALICE)).toMatchObject({
        ok: false,
        currentLock: 'shared',
      });
    });
  });
});
