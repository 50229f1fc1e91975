import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import { Inject, Injectable, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { CacheInvalidationBus, ProcessCache } from '@wopi/redis';
import { BreakerStateValue, observeGauge, tenantLabel, WopiMetricName } from '@wopi/telemetry';
import { CoreAppError, CoreAppErrorKind } from './core-app.error';
import { CORE_APP_CLIENT_OPTIONS, type CoreAppClientOptions } from './core-app-client.options';
import { exactLength } from './exact-length';
import type {
  ContentDownload,
  CoreAppTarget,
  CoreFile,
  CoreUser,
  ReplayableBody,
  SiblingConflictPolicy,
} from './core-app.types';
import { withRetries } from './retry';
import { type SignedCall, TenantChannel, fingerprintOf } from './tenant-channel';

const enc = encodeURIComponent;

// Each entry lives as long as its tenant's permission-cache lifetime, never longer than 10 min.
const ANSWER_CACHE = { ttlMs: 10 * 60_000, maxEntries: 10_000 };

/**
 * The gateway's side of the core-app contract v1 (openapi/core-app-contract.v1.yaml).
 * Every call is signed, goes through the tenant's circuit breaker, and has a timeout; idempotent
 * calls are retried with jittered backoff on outage-like failures. An open breaker fails at once
 * with `CoreAppErrorKind.CircuitOpen` and a Retry-After.
 */
@Injectable()
export class CoreAppClient implements OnApplicationShutdown {
  private readonly channels = new Map<string, TenantChannel>();
  private readonly agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  /**
   * The core app's answers about a user and a file, reused for the tenant's permission-cache
   * lifetime (0: never). Kept coherent across processes by the bus: a write through any process's
   * client forgets the file everywhere (a write-back in the worker included).
   */
  private readonly fileAnswers: ProcessCache<CoreFile>;
  private readonly userAnswers: ProcessCache<CoreUser>;

  /** Unregisters the breaker-state gauge (read at each metric collection, not on a timer). */
  private readonly stopObserving: () => void;

  constructor(
    @Inject(CORE_APP_CLIENT_OPTIONS) private readonly options: CoreAppClientOptions,
    @Optional() private readonly invalidations?: CacheInvalidationBus,
  ) {
    const cacheOf = <V>(name: string) =>
      invalidations?.cache<V>(name, ANSWER_CACHE) ?? new ProcessCache<V>(name, ANSWER_CACHE);
    this.fileAnswers = cacheOf('core-app-file');
    this.userAnswers = cacheOf('core-app-user');
    this.stopObserving = observeGauge(
      WopiMetricName.CoreAppBreakerState,
      { description: "Each tenant's core-app circuit breaker: 0 closed, 1 half-open, 2 open", unit: '{state}' },
      () =>
        [...this.channels.values()].map((channel) => ({
          value: BreakerStateValue[channel.state],
          attributes: { 'wopi.tenant': tenantLabel(channel.target.tenantId) },
        })),
    );
  }

  // Not onModuleDestroy: Nest runs that before the HTTP server and the queue workers have
  // finished their in-flight work, which still needs the core app (graceful shutdown, ADR 0007).
  onApplicationShutdown(): void {
    this.stopObserving();
    this.channels.forEach((channel) => channel.shutdown());
    // Idle keep-alive sockets would otherwise hold the process open after shutdown.
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /**
   * Metadata and the user's permissions. With `fresh`, never from the permission cache: every
   * write re-checks the user's right to write.
   */
  async getFile(target: CoreAppTarget, ref: string, userId: string, { fresh = false } = {}): Promise<CoreFile> {
    const cacheKey = `${target.tenantId}\n${ref}\n${userId}`;
    if (!fresh && target.permissionCacheTtlMs > 0) {
      const cached = this.fileAnswers.get(cacheKey);
      if (cached) return cached;
    }
    const file = await this.idempotent(target, {
      operation: 'getFile',
      method: 'GET',
      path: `/files/${enc(ref)}?userId=${enc(userId)}`,
      axios: { timeout: target.timeoutMs },
    });
    const answer = this.asFile(file.data);
    this.fileAnswers.set(cacheKey, answer, target.permissionCacheTtlMs);
    return answer;
  }

  /**
   * The content as a stream (never buffered), byte for byte as the core app stores it; retried
   * only until the response starts. Never decoded: identity is asked for, and a content-coded
   * answer is refused. The stream has exactly `sizeBytes` bytes or fails (see exactLength):
   * the core app's Content-Length, or without one `expected.sizeBytes`. When the core app says
   * it is serving `expected.version`, a Content-Length other than that version's size is refused
   * before a byte is served (a body longer than its Content-Length cannot be seen otherwise).
   */
  async getContent(
    target: CoreAppTarget,
    ref: string,
    userId: string,
    expected: { version?: string | null; sizeBytes: number },
  ): Promise<ContentDownload> {
    const response = await this.idempotent(target, {
      operation: 'getContent',
      method: 'GET',
      path: `/files/${enc(ref)}/content?userId=${enc(userId)}`,
      axios: {
        responseType: 'stream',
        timeout: this.options.contentIdleTimeoutMs,
        // axios asks for gzip/br and inflates by default: the bytes served would then not be the
        // stored ones, and the core app's Content-Length would describe the compressed body.
        decompress: false,
        headers: { 'accept-encoding': 'identity' },
      },
    });
    const stream = response.data as Readable;
    const version = (response.headers['x-core-version'] as string | undefined) ?? undefined;
    const encoding = String(response.headers['content-encoding'] ?? 'identity').toLowerCase();
    const declared =
      response.headers['content-length'] === undefined ? NaN : Number(response.headers['content-length']);
    const refuse = (why: string) => {
      stream.destroy();
      return new CoreAppError(CoreAppErrorKind.BadResponse, `core app content refused: ${why}`);
    };
    if (encoding !== 'identity')
      throw refuse(`Content-Encoding ${encoding}, the contract asks for the bytes as stored`);
    if (response.headers['content-length'] !== undefined && !(Number.isSafeInteger(declared) && declared >= 0))
      throw refuse('an invalid Content-Length');
    const isExpectedVersion = expected.version != null && (version === undefined || version === expected.version);
    if (Number.isSafeInteger(declared) && isExpectedVersion && declared !== expected.sizeBytes)
      throw refuse(`Content-Length ${declared}, but version ${expected.version} has ${expected.sizeBytes} bytes`);
    const sizeBytes = Number.isSafeInteger(declared) ? declared : expected.sizeBytes;
    return { stream: exactLength(stream, sizeBytes), version, sizeBytes };
  }

  /**
   * Writes new content. The idempotency key makes a retried upload safe; `ifMatch` makes the
   * core app refuse (412) when its copy changed since the version the gateway based this on.
   */
  async putContent(
    target: CoreAppTarget,
    ref: string,
    userId: string,
    input: { body: ReplayableBody; idempotencyKey: string; ifMatch?: string },
  ): Promise<CoreFile> {
    this.forget(target, ref);
    const response = await this.idempotent(target, {
      operation: 'putContent',
      method: 'PUT',
      path: `/files/${enc(ref)}/content?userId=${enc(userId)}`,
      contentSha256: input.body.sha256,
      axios: this.upload(input.body, {
        'idempotency-key': input.idempotencyKey,
        ...(input.ifMatch !== undefined ? { 'if-match': `"${input.ifMatch}"` } : {}),
      }),
    });
    return this.asFile(response.data);
  }

  /** Creates a file next to `ref` (PutRelativeFile, conversions); retried under its idempotency key. */
  async createSibling(
    target: CoreAppTarget,
    ref: string,
    userId: string,
    input: { name: string; onConflict: SiblingConflictPolicy; body: ReplayableBody; idempotencyKey: string },
  ): Promise<CoreFile> {
    const response = await this.idempotent(target, {
      operation: 'createSibling',
      method: 'POST',
      path: `/files/${enc(ref)}/siblings?userId=${enc(userId)}&name=${enc(input.name)}&onConflict=${input.onConflict}`,
      contentSha256: input.body.sha256,
      axios: this.upload(input.body, { 'idempotency-key': input.idempotencyKey }),
    });
    return this.asFile(response.data);
  }

  /** The sibling of `ref` with exactly this name, or null. */
  async findSibling(target: CoreAppTarget, ref: string, userId: string, name: string): Promise<CoreFile | null> {
    try {
      const response = await this.idempotent(target, {
        operation: 'findSibling',
        method: 'GET',
        path: `/files/${enc(ref)}/siblings?userId=${enc(userId)}&name=${enc(name)}`,
        axios: { timeout: target.timeoutMs },
      });
      return this.asFile(response.data);
    } catch (error) {
      if (error instanceof CoreAppError && error.kind === CoreAppErrorKind.NotFound) return null;
      throw error;
    }
  }

  /** Renames (full name with extension). Not retried: a rename is not idempotent under a name clash. */
  async rename(target: CoreAppTarget, ref: string, userId: string, name: string): Promise<CoreFile> {
    this.forget(target, ref);
    const body = JSON.stringify({ name });
    const response = await this.channel(target).call({
      operation: 'rename',
      method: 'POST',
      path: `/files/${enc(ref)}/rename?userId=${enc(userId)}`,
      contentSha256: sha256(body),
      axios: { data: body, headers: { 'content-type': 'application/json' }, timeout: target.timeoutMs },
    });
    return this.asFile(response.data);
  }

  async deleteFile(target: CoreAppTarget, ref: string, userId: string): Promise<void> {
    this.forget(target, ref);
    await this.idempotent(target, {
      operation: 'deleteFile',
      method: 'DELETE',
      path: `/files/${enc(ref)}?userId=${enc(userId)}`,
      axios: { timeout: target.timeoutMs },
    });
  }

  /** The user's profile, reused for the tenant's permission-cache lifetime. */
  async getUser(target: CoreAppTarget, userId: string): Promise<CoreUser> {
    const cacheKey = `${target.tenantId}\n${userId}`;
    const cached = target.permissionCacheTtlMs > 0 ? this.userAnswers.get(cacheKey) : undefined;
    if (cached) return cached;
    const response = await this.idempotent(target, {
      operation: 'getUser',
      method: 'GET',
      path: `/users/${enc(userId)}`,
      axios: { timeout: target.timeoutMs },
    });
    const user = response.data as CoreUser;
    this.userAnswers.set(cacheKey, user, target.permissionCacheTtlMs);
    return user;
  }

  /** The tenant's breaker state, for health and support tooling. */
  breakerState(tenantId: string): 'closed' | 'open' | 'half_open' | undefined {
    return this.channels.get(tenantId)?.state;
  }

  private idempotent(target: CoreAppTarget, call: SignedCall) {
    const channel = this.channel(target);
    return withRetries(
      this.options.retry,
      async () => {
        // A stream body is single-use: each attempt opens it anew.
        const data = call.axios?.data;
        if (typeof data !== 'function') return channel.call(call);
        const body = await (data as () => Readable | Promise<Readable>)();
        try {
          return await channel.call({ ...call, axios: { ...call.axios, data: body } });
        } finally {
          // An open breaker, an early 412 or a dropped connection leaves the body unread; it
          // holds a file descriptor (a staged blob) until destroyed. After a full send this is a no-op.
          body.destroy();
        }
      },
      (error) => error instanceof CoreAppError && error.kind === CoreAppErrorKind.Unavailable,
    );
  }

  private upload(body: ReplayableBody, headers: Record<string, string>) {
    return {
      // Opened per attempt by idempotent().
      data: body.open as unknown,
      headers: { ...headers, 'content-type': 'application/octet-stream', 'content-length': String(body.sizeBytes) },
      timeout: this.options.contentIdleTimeoutMs,
    };
  }

  private channel(target: CoreAppTarget): TenantChannel {
    const existing = this.channels.get(target.tenantId);
    if (existing?.fingerprint === fingerprintOf(target)) return existing;
    existing?.shutdown();
    const channel = new TenantChannel(target, this.options, this.agents);
    this.channels.set(target.tenantId, channel);
    return channel;
  }

  private forget(target: CoreAppTarget, ref: string): void {
    const prefix = `${target.tenantId}\n${ref}\n`;
    if (this.invalidations) void this.invalidations.invalidatePrefix(this.fileAnswers.name, prefix);
    else this.fileAnswers.evictPrefix(prefix);
  }

  private asFile(data: unknown): CoreFile {
    const file = data as Partial<CoreFile> | undefined;
    if (
      !file ||
      typeof file.ref !== 'string' ||
      typeof file.name !== 'string' ||
      typeof file.version !== 'string' ||
      !file.permissions
    ) {
      throw new CoreAppError(
        CoreAppErrorKind.BadResponse,
        'core app answered without the file metadata the contract requires',
      );
    }
    return file as CoreFile;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
