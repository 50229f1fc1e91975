import { jitteredBackoffMs, withRetries } from './retry';

const policy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 250 };

describe('jitteredBackoffMs', () => {
  it('grows exponentially up to the cap and spreads retries over [0, cap)', () => {
    expect(jitteredBackoffMs(1, policy, () => 0.999)).toBe(99);
    expect(jitteredBackoffMs(2, policy, () => 0.999)).toBe(199);
    expect(jitteredBackoffMs(3, policy, () => 0.999)).toBe(249);
    expect(jitteredBackoffMs(3, policy, () => 0)).toBe(0);
  });
});

describe('withRetries', () => {
  const noSleep = async () => undefined;

  it('retries retryable failures until success', async () => {
    let calls = 0;
    const result = await withRetries(
      policy,
      async () => (++calls < 3 ? Promise.reject(new Error('flaky')) : 'ok'),
      () => true,
      noSleep,
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
  });

  it('stops after the last attempt and at the first non-retryable error', async () => {
    let calls = 0;
    await expect(
      withRetries(
        policy,
        async () => Promise.reject(new Error(`fail ${++calls}`)),
        () => true,
        noSleep,
      ),
    ).rejects.toThrow('fail 3');
    calls = 0;
    await expect(
      withRetries(
        policy,
        async () => Promise.reject(new Error(`fail ${++calls}`)),
        () => false,
        noSleep,
      ),
    ).rejects.toThrow('fail 1');
  });
});
