import { Inject, Injectable } from '@nestjs/common';
import { REDIS } from '@wopi/redis';
import type Redis from 'ioredis';

/**
 * One editor session: a user working on one file through one action, across token renewals. The
 * record lets a core app renew or end the session by its id; it lives exactly as long as the
 * session's newest token.
 */
export interface EditorSession {
  sessionId: string;
  tenantId: string;
  fileId: string;
  /** The core app's user id (not prefixed). */
  userId: string;
  /** view, edit, editnew, convert or embedview. */
  action: string;
  /** BCP 47 language of the editor UI, if the core app gave one. */
  locale?: string;
  /** Where the host page sends the user when the editor closes. */
  returnUrl?: string;
  /** The WOPI-client profile the session was opened with; renewed tokens keep it. */
  clientProfileId?: string;
  /** When the session's first token was issued (a revocation ends sessions started up to its time). */
  startedAtMs: number;
  /** Expiry of the newest token, in ms since the epoch. */
  expiresAtMs: number;
}

@Injectable()
export class EditorSessionStore {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async create(session: EditorSession): Promise<void> {
    await this.redis.set(
      this.key(session.tenantId, session.sessionId),
      JSON.stringify(session),
      'PXAT',
      session.expiresAtMs,
    );
  }

  async find(tenantId: string, sessionId: string): Promise<EditorSession | null> {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(sessionId)) return null;
    const raw = await this.redis.get(this.key(tenantId, sessionId));
    return raw ? (JSON.parse(raw) as EditorSession) : null;
  }

  /**
   * Moves the session's end to its renewed token's expiry. XX: a session ended meanwhile (revoked,
   * or expired) stays ended; returns false then.
   */
  async extend(session: EditorSession, expiresAtMs: number): Promise<boolean> {
    const updated: EditorSession = { ...session, expiresAtMs };
    const result = await this.redis.set(
      this.key(session.tenantId, session.sessionId),
      JSON.stringify(updated),
      'PXAT',
      expiresAtMs,
      'XX',
    );
    return result === 'OK';
  }

  async delete(tenantId: string, sessionId: string): Promise<void> {
    await this.redis.del(this.key(tenantId, sessionId));
  }

  private key(tenantId: string, sessionId: string): string {
    return `wopi:session:{${tenantId}:${sessionId}}`;
  }
}
