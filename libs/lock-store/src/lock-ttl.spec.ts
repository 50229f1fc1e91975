import { assertLockTtlMs, LOCK_TTL_MS } from './lock-ttl';

describe('LOCK_TTL_MS', () => {
  it('is 30 minutes (WOPI locks expire after 30 minutes)', () => {
    expect(LOCK_TTL_MS).toBe(1_800_000);
  });
});

describe('assertLockTtlMs', () => {
  it.each([1, 250, 60_000, LOCK_TTL_MS, 3_600_000])('accepts %p', (lockTtlMs) => {
    expect(() => assertLockTtlMs(lockTtlMs)).not.toThrow();
  });

  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('refuses %p', (lockTtlMs) => {
    expect(() => assertLockTtlMs(lockTtlMs)).toThrow(RangeError);
  });
});
