import { ProcessCache } from './process-cache';

describe('ProcessCache', () => {
  const cache = (ttlMs = 1_000, maxEntries = 3) => new ProcessCache<string>('test', { ttlMs, maxEntries });

  it('serves an entry until its lifetime ends, and never longer than the cache allows', () => {
    const c = cache(1_000);
    c.set('a', 'A', 1_000, 0);
    expect(c.get('a', 999)).toBe('A');
    expect(c.get('a', 1_000)).toBeUndefined();
    // A longer lifetime asked for one entry is cut to the cache's own.
    c.set('b', 'B', 60_000, 0);
    expect(c.get('b', 1_000)).toBeUndefined();
    // A shorter one is kept; none at all stores nothing.
    c.set('c', 'C', 10, 0);
    expect(c.get('c', 10)).toBeUndefined();
    c.set('d', 'D', 0, 0);
    expect(c.get('d', 0)).toBeUndefined();
  });

  it('keeps at most maxEntries, dropping the oldest first', () => {
    const c = cache(1_000, 2);
    c.set('a', 'A', 1_000, 0);
    c.set('b', 'B', 1_000, 0);
    c.set('c', 'C', 1_000, 0);
    expect([c.get('a', 1), c.get('b', 1), c.get('c', 1)]).toEqual([undefined, 'B', 'C']);
    expect(c.size).toBe(2);
  });

  it('does not store what a load read before an invalidation of its key arrived', async () => {
    const c = cache();
    let finish!: (value: string) => void;
    const loading = c.getOrLoad('a', () => new Promise<string>((resolve) => (finish = resolve)));
    c.evict('a'); // the write's invalidation, while the read is under way
    finish('old');
    expect(await loading).toBe('old');
    expect(c.get('a')).toBeUndefined();
    expect(await c.getOrLoad('a', async () => 'new')).toBe('new');
    expect(c.get('a')).toBe('new');
  });

  it('drops by prefix, loads under way included', async () => {
    const c = cache();
    c.set('t1:a', 'A');
    c.set('t2:a', 'B');
    let finish!: (value: string) => void;
    const loading = c.getOrLoad('t1:b', () => new Promise<string>((resolve) => (finish = resolve)));
    c.evictPrefix('t1:');
    finish('old');
    await loading;
    expect([c.get('t1:a'), c.get('t1:b'), c.get('t2:a')]).toEqual([undefined, undefined, 'B']);
  });

  it('serves and keeps nothing while untrusted, and starts empty when trusted again', () => {
    const c = cache();
    c.set('a', 'A');
    c.setTrusted(false);
    expect(c.get('a')).toBeUndefined();
    c.set('b', 'B');
    c.setTrusted(true);
    expect([c.get('a'), c.get('b')]).toEqual([undefined, undefined]);
  });

  it('takes a lifetime that depends on the loaded value', async () => {
    const c = cache(1_000);
    await c.getOrLoad(
      'keep',
      async () => 'K',
      () => 1_000,
    );
    await c.getOrLoad(
      'skip',
      async () => 'S',
      () => 0,
    );
    expect([c.get('keep'), c.get('skip')]).toEqual(['K', undefined]);
  });

  it('does not store what a load read while the subscription was lost and found again', async () => {
    const c = cache();
    let finish!: (value: string) => void;
    const loading = c.getOrLoad('a', () => new Promise<string>((resolve) => (finish = resolve)));
    // Invalidations sent while untrusted are lost: this load's value may predate one of them.
    c.setTrusted(false);
    c.setTrusted(true);
    finish('maybe stale');
    await loading;
    expect(c.get('a')).toBeUndefined();
  });
});
