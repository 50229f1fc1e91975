/** How long entries live and how many a cache keeps. */
export interface ProcessCacheOptions {
  /** Upper bound on an entry's age, whatever invalidations arrive (a lost message costs at most this). */
  ttlMs: number;
  maxEntries: number;
}

interface Entry<V> {
  value: V;
  expiresAtMs: number;
}

/**
 * A per-process cache of values read from PostgreSQL or a core app, kept coherent by
 * invalidations (CacheInvalidationBus). `getOrLoad` stores a loaded value only if no invalidation
 * of its key arrived while it was loading: a reader that started before a write never puts the
 * old value back after the write's invalidation went by.
 */
export class ProcessCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  /** Invalidations seen per key, while a load of that key may be running. */
  private readonly invalidations = new Map<string, number>();
  private readonly loading = new Map<string, number>();
  private trusted = true;
  /** Bumped whenever trust changes: a load that spans a lost subscription must not store its value. */
  private trustGeneration = 0;

  constructor(
    readonly name: string,
    private readonly options: ProcessCacheOptions,
  ) {}

  get(key: string, nowMs = Date.now()): V | undefined {
    if (!this.trusted) return undefined;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= nowMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /**
   * The cached value, or `load()`'s, stored unless the key was invalidated meanwhile. `ttlMs` may
   * depend on the loaded value (0 or less: not stored).
   */
  async getOrLoad(
    key: string,
    load: () => Promise<V>,
    ttlMs: number | ((value: V) => number) = this.options.ttlMs,
  ): Promise<V> {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    const seenBefore = this.invalidations.get(key) ?? 0;
    const generationBefore = this.trustGeneration;
    this.loading.set(key, (this.loading.get(key) ?? 0) + 1);
    try {
      const value = await load();
      // Not stored when an invalidation of the key arrived meanwhile, nor when the bus lost its
      // subscription meanwhile (invalidations sent then are lost, this value may predate one).
      if ((this.invalidations.get(key) ?? 0) === seenBefore && this.trustGeneration === generationBefore)
        this.set(key, value, typeof ttlMs === 'function' ? ttlMs(value) : ttlMs);
      return value;
    } finally {
      const left = (this.loading.get(key) ?? 1) - 1;
      if (left > 0) this.loading.set(key, left);
      else {
        this.loading.delete(key);
        this.invalidations.delete(key);
      }
    }
  }

  /** Stores `value`; `ttlMs` may shorten (never lengthen) the cache's own lifetime for this entry. */
  set(key: string, value: V, ttlMs = this.options.ttlMs, nowMs = Date.now()): void {
    if (!this.trusted || value === undefined || ttlMs <= 0) return;
    // Maps iterate in insertion order: the first key is the oldest entry.
    if (!this.entries.has(key) && this.entries.size >= this.options.maxEntries) {
      this.entries.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, { value, expiresAtMs: nowMs + Math.min(ttlMs, this.options.ttlMs) });
  }

  /** Drops one key here (the bus calls this for every process's invalidation). */
  evict(key: string): void {
    this.entries.delete(key);
    if (this.loading.has(key)) this.invalidations.set(key, (this.invalidations.get(key) ?? 0) + 1);
  }

  /** Drops every key that starts with `prefix`. */
  evictPrefix(prefix: string): void {
    for (const key of this.entries.keys()) if (key.startsWith(prefix)) this.entries.delete(key);
    for (const key of this.loading.keys()) if (key.startsWith(prefix)) this.evict(key);
  }

  /**
   * Whether invalidations can be relied on. While they cannot (the bus lost its subscription),
   * nothing is served or stored; when they can again, everything stored before is dropped, since
   * invalidations may have been missed in between.
   */
  setTrusted(trusted: boolean): void {
    if (trusted !== this.trusted) this.trustGeneration++;
    if (trusted && !this.trusted) this.entries.clear();
    this.trusted = trusted;
    if (!trusted) this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
