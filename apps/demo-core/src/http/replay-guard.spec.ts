import { ReplayGuard } from './replay-guard';

const WINDOW = 5 * 60 * 1000;

describe('ReplayGuard', () => {
  it('refuses a signature seen before, until it expires', () => {
    const guard = new ReplayGuard();
    const now = 1_000_000;
    expect(guard.remember('sig-a', now + WINDOW, now)).toBe(true);
    expect(guard.remember('sig-a', now + WINDOW, now + 1)).toBe(false);
    expect(guard.remember('sig-a', now + WINDOW, now + WINDOW - 1)).toBe(false);
    expect(guard.remember('sig-b', now + WINDOW, now + 2)).toBe(true);
    // Past its expiry the verifier's timestamp check refuses the request anyway; the guard forgets it.
    expect(guard.remember('sig-a', now + 3 * WINDOW, now + WINDOW + 1)).toBe(true);
  });

  it('forgets expired signatures as requests arrive, so the table holds only the recent ones', () => {
    const guard = new ReplayGuard();
    // 10 000 requests a millisecond apart, each expiring one window after it arrived.
    for (let i = 0; i < 10_000; i++) expect(guard.remember(`sig-${i}`, i + WINDOW, i)).toBe(true);
    expect(guard.size).toBe(10_000);
    // Two windows later, new traffic sweeps the old entries (several per request), never all at once.
    const later = 2 * WINDOW;
    for (let i = 0; i < 1_000; i++) guard.remember(`new-${i}`, later + i + WINDOW, later + i);
    expect(guard.size).toBe(10_000 - 4 * 1_000 + 1_000);
    for (let i = 1_000; i < 6_000; i++) guard.remember(`new-${i}`, later + i + WINDOW, later + i);
    expect(guard.size).toBe(6_000);
    // The newer signatures are still refused as replays.
    expect(guard.remember('new-5999', later + WINDOW, later + 6_000)).toBe(false);
  });

  it('sweeps past an entry whose expiry lies further ahead once it expires (timestamps out of order)', () => {
    const guard = new ReplayGuard();
    // The first request was stamped 5 minutes in the future: it expires two windows after arrival.
    expect(guard.remember('future', 2 * WINDOW, 0)).toBe(true);
    for (let i = 1; i <= 100; i++) guard.remember(`sig-${i}`, i + WINDOW, i);
    guard.remember('probe-1', 2 * WINDOW + 10 + WINDOW, WINDOW + 200);
    // The head has not expired, so nothing behind it is swept yet, and the replay is still refused.
    expect(guard.size).toBe(102);
    expect(guard.remember('future', 2 * WINDOW, WINDOW + 201)).toBe(false);
    for (let i = 0; i < 30; i++) guard.remember(`probe-${i + 2}`, 4 * WINDOW, 2 * WINDOW + i);
    expect(guard.size).toBe(31);
  });

  it('refuses new signatures when full rather than forgetting unexpired ones', () => {
    const guard = new ReplayGuard(3);
    expect(guard.remember('a', WINDOW, 0)).toBe(true);
    expect(guard.remember('b', WINDOW, 0)).toBe(true);
    expect(guard.remember('c', WINDOW, 0)).toBe(true);
    expect(guard.remember('d', WINDOW, 1)).toBe(false);
    expect(guard.remember('a', WINDOW, 1)).toBe(false);
    // Once they expire, room again.
    expect(guard.remember('d', 2 * WINDOW, WINDOW)).toBe(true);
  });

  it('costs the same per request with a large table as with a small one', () => {
    const time = (guard: ReplayGuard, from: number) => {
      const started = process.hrtime.bigint();
      for (let i = 0; i < 20_000; i++) guard.remember(`x-${from + i}`, WINDOW, 1);
      return Number(process.hrtime.bigint() - started);
    };
    const small = new ReplayGuard();
    const large = new ReplayGuard();
    for (let i = 0; i < 200_000; i++) large.remember(`pre-${i}`, WINDOW, 0);
    time(small, 0); // warm-up
    const smallNs = time(small, 100_000);
    const largeNs = time(large, 100_000);
    // The old check scanned the whole table per request once it held 10 000 entries: 200 000
    // entries made each request ~200 000 steps. A keyed check stays within a small factor.
    expect(largeNs).toBeLessThan(smallNs * 10);
  });
});
