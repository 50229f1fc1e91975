import { type BeforeApplicationShutdown, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { PrismaService } from '@wopi/db';

export const API_KEY_USAGE_OPTIONS = Symbol('API_KEY_USAGE_OPTIONS');

/** How stale `api_keys.last_used_at` may be: at most one write per key per this interval. */
export const API_KEY_LAST_USED_INTERVAL_MS = 60_000;

// Only keys that authenticated are tracked, so this is a bound against a pathological number of
// keys, not against strangers: past it the map starts afresh (each key then writes once more).
const MAX_TRACKED_KEYS = 10_000;

export interface ApiKeyUsageOptions {
  intervalMs: number;
}

/**
 * When each API key (session or admin) was last used, for operators deciding which keys to retire
 * (`lastUsedAt` in the admin API's key listings), without a database write per request
 * (DESIGN.md, "hot path"): a process writes a key's time at most once per `intervalMs`, after the
 * request has been let through and without waiting for it, and a failed write is logged, never
 * the request's failure. The UPDATE itself only changes a row whose time is older than the
 * interval, so several api processes together still change each key at most once per interval.
 * The listed time is therefore up to one interval behind the real last use (up to two with
 * several processes: one whose UPDATE another's fresher time refused waits its own interval).
 */
@Injectable()
export class ApiKeyUsage implements BeforeApplicationShutdown {
  private readonly logger = new Logger(ApiKeyUsage.name);
  private readonly intervalMs: number;
  /** keyId → when this process last wrote its time (epoch ms). */
  private readonly writtenAtMs = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly prisma: PrismaService,
    @Optional() @Inject(API_KEY_USAGE_OPTIONS) options?: ApiKeyUsageOptions,
  ) {
    this.intervalMs = options?.intervalMs ?? API_KEY_LAST_USED_INTERVAL_MS;
  }

  /** A request was authenticated with this key (its public keyId); returns at once, never throws. */
  used(keyId: string, atMs = Date.now()): void {
    const written = this.writtenAtMs.get(keyId);
    if (written !== undefined && atMs - written < this.intervalMs) return;
    if (this.writtenAtMs.size >= MAX_TRACKED_KEYS) this.writtenAtMs.clear();
    this.writtenAtMs.set(keyId, atMs);
    const write = this.prisma.apiKey
      .updateMany({
        where: { keyId, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(atMs - this.intervalMs) } }] },
        data: { lastUsedAt: new Date(atMs) },
      })
      .then(
        () => undefined,
        (error: unknown) => this.logger.warn({ err: error, keyId }, 'could not record when an API key was last used'),
      )
      .finally(() => this.inFlight.delete(write));
    this.inFlight.add(write);
  }

  /** Resolves once the writes started so far have finished (tests, and shutdown). */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  // Before PrismaService disconnects (it does on application shutdown).
  async beforeApplicationShutdown(): Promise<void> {
    await this.settled();
  }
}
