import { Inject, Injectable, Optional } from '@nestjs/common';
import { CacheInvalidationBus, type ProcessCache, REDIS } from '@wopi/redis';
import type Redis from 'ioredis';
import { ACCESS_TOKEN_MAX_TTL_MS } from './access-token.service';

/** What a revocation is checked against: one token, or a session being renewed. */
export interface RevocationSubject {
  tenantId: string;
  userId: string;
  fileId: string;
  sessionId: string;
  /** A token's issue time, or a session's start when a renewal is checked. */
  issuedAtMs: number;
}

export type RevocationScope = 'user' | 'file' | 'session';

// Keeps the later of two times for one field (instances' clocks differ by a little), and the
// expiry, in one step: the entry never exists without it.
const RECORD_REVOCATION = `
local current = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) > current then redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

const USER_FIELD = 'user';

/** The revocations of one tenant's user, as stored in their hash: field → revocation time (ms). */
type UserRevocations = Record<string, string>;

/**
 * How long a process trusts its copy of a user's revocations without hearing of a change. Every
 * revocation reaches every process at once through the invalidation bus; this only bounds what a
 * message lost in a way the bus could not notice would cost (a subscriber connection that died
 * without closing: Redis still counts it as delivered). Short, because a revocation is a security
 * promise and a copy costs one HGETALL per user and process to renew.
 */
export const REVOCATION_COPY_TTL_MS = 10_000;
const COPY_CACHE = 'revocations';
const fileField = (fileId: string) => `file:${fileId}`;
const sessionField = (sessionId: string) => `session:${sessionId}`;

/**
 * The deny list of access tokens, in Redis so every api instance sees a revocation at once.
 *
 * One hash per tenant and user holds every revocation of that user: `user` (all their tokens),
 * `file:<fileId>` (their tokens of one file) and `session:<sessionId>` (one editor session), each
 * with the revocation time in ms. A user or file revocation refuses tokens issued up to that time
 * only, so a user whose access comes back can open the file again at once; a session revocation
 * refuses the session for good. One key per user means one read per user, and one Redis
 * Cluster slot (the braces are a hash tag). The hash lives ACCESS_TOKEN_MAX_TTL_MS after its last
 * revocation: by then every token it concerns has expired.
 *
 * Checking is on every WOPI request, so each process keeps a copy of the hashes it has read
 * (ProcessCache on the CacheInvalidationBus) and asks Redis only on a miss. A revocation writes
 * the hash, then drops the copies everywhere and waits until every process has confirmed it (or
 * has had time to stop trusting its caches): a request that reaches any api after the revocation
 * call answered is refused; when that cannot be established the call fails, and may be repeated.
 * While a process's subscription is down or unanswered its copies are neither served nor kept, and
 * every check goes to Redis as before (ADR 0033).
 */
@Injectable()
export class RevocationStore {
  private readonly copies: ProcessCache<UserRevocations> | undefined;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Optional() private readonly invalidations?: CacheInvalidationBus,
  ) {
    this.copies = invalidations?.cache<UserRevocations>(COPY_CACHE, {
      ttlMs: REVOCATION_COPY_TTL_MS,
      maxEntries: 100_000,
    });
  }

  revokeUser(tenantId: string, userId: string, atMs = Date.now()): Promise<void> {
    return this.write(tenantId, userId, USER_FIELD, atMs);
  }

  revokeFile(tenantId: string, userId: string, fileId: string, atMs = Date.now()): Promise<void> {
    return this.write(tenantId, userId, fileField(fileId), atMs);
  }

  revokeSession(tenantId: string, userId: string, sessionId: string, atMs = Date.now()): Promise<void> {
    return this.write(tenantId, userId, sessionField(sessionId), atMs);
  }

  /** Which revocation, if any, refuses the subject. Throws when Redis does not answer (fail closed). */
  async revokedBy(subject: RevocationSubject): Promise<RevocationScope | null> {
    const key = this.key(subject.tenantId, subject.userId);
    const revocations = this.copies
      ? await this.copies.getOrLoad(key, () => this.redis.hgetall(key))
      : await this.redis.hgetall(key);
    const session = revocations[sessionField(subject.sessionId)];
    const user = revocations[USER_FIELD];
    const file = revocations[fileField(subject.fileId)];
    if (session !== undefined) return 'session';
    if (user !== undefined && subject.issuedAtMs <= Number(user)) return 'user';
    if (file !== undefined && subject.issuedAtMs <= Number(file)) return 'file';
    return null;
  }

  private async write(tenantId: string, userId: string, field: string, atMs: number): Promise<void> {
    const key = this.key(tenantId, userId);
    await this.redis.eval(RECORD_REVOCATION, 1, key, field, String(atMs), ACCESS_TOKEN_MAX_TTL_MS);
    await this.invalidations?.invalidate(COPY_CACHE, key, { confirm: true });
  }

  private key(tenantId: string, userId: string): string {
    return `wopi:revoked:{${tenantId}:${userId}}`;
  }
}
