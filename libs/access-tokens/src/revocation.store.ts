import { Inject, Injectable } from '@nestjs/common';
import { REDIS } from '@wopi/redis';
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
const fileField = (fileId: string) => `file:${fileId}`;
const sessionField = (sessionId: string) => `session:${sessionId}`;

/**
 * The deny list of access tokens, in Redis so every api instance sees a revocation at once.
 *
 * One hash per tenant and user holds every revocation of that user: `user` (all their tokens),
 * `file:<fileId>` (their tokens of one file) and `session:<sessionId>` (one editor session), each
 * with the revocation time in ms. A user or file revocation refuses tokens issued up to that time
 * only, so a user whose access comes back can open the file again at once; a session revocation
 * refuses the session for good. One key per user means one HMGET per WOPI request, and one Redis
 * Cluster slot (the braces are a hash tag). The hash lives ACCESS_TOKEN_MAX_TTL_MS after its last
 * revocation: by then every token it concerns has expired.
 */
@Injectable()
export class RevocationStore {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

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
    const [user, file, session] = await this.redis.hmget(
      this.key(subject.tenantId, subject.userId),
      USER_FIELD,
      fileField(subject.fileId),
      sessionField(subject.sessionId),
    );
    if (session !== null) return 'session';
    if (user !== null && subject.issuedAtMs <= Number(user)) return 'user';
    if (file !== null && subject.issuedAtMs <= Number(file)) return 'file';
    return null;
  }

  private async write(tenantId: string, userId: string, field: string, atMs: number): Promise<void> {
    await this.redis.eval(
      RECORD_REVOCATION,
      1,
      this.key(tenantId, userId),
      field,
      String(atMs),
      ACCESS_TOKEN_MAX_TTL_MS,
    );
  }

  private key(tenantId: string, userId: string): string {
    return `wopi:revoked:{${tenantId}:${userId}}`;
  }
}
