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
    // A separate command: the index has another hash slot than the session (Redis Cluster).
    await this.redis.zadd(
      this.activeKey(session.tenantId, accessOf(session.action)),
      session.expiresAtMs,
      session.sessionId,
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
    if (result === 'OK')
      await this.redis.zadd(this.activeKey(session.tenantId, accessOf(session.action)), expiresAtMs, session.sessionId);
    return result === 'OK';
  }

  async delete(tenantId: string, sessionId: string): Promise<void> {
    await this.redis.del(this.key(tenantId, sessionId));
    await this.redis
      .multi()
      .zrem(this.activeKey(tenantId, 'view'), sessionId)
      .zrem(this.activeKey(tenantId, 'edit'), sessionId)
      .exec();
  }

  /**
   * Sessions not yet expired nor ended, per tenant and view/edit (wopi.editor.sessions.active).
   * Read from a small index per tenant and access, a sorted set by expiry kept beside the
   * sessions, so counting never scans the sessions themselves.
   */
  async countActive(nowMs = Date.now()): Promise<{ tenantId: string; access: 'view' | 'edit'; count: number }[]> {
    const counts: { tenantId: string; access: 'view' | 'edit'; count: number }[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', 'wopi:sessions-active:*', 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        const match = /^wopi:sessions-active:\{(.+)\}:(view|edit)$/.exec(key);
        if (!match) continue;
        const [, card] = (await this.redis.multi().zremrangebyscore(key, '-inf', nowMs).zcard(key).exec()) ?? [];
        counts.push({ tenantId: match[1], access: match[2] as 'view' | 'edit', count: Number(card?.[1] ?? 0) });
      }
    } while (cursor !== '0');
    return counts;
  }

  private key(tenantId: string, sessionId: string): string {
    return `wopi:session:{${tenantId}:${sessionId}}`;
  }

  private activeKey(tenantId: string, access: 'view' | 'edit'): string {
    return `wopi:sessions-active:{${tenantId}}:${access}`;
  }
}

/** view/edit as metrics and the traffic report count sessions. */
function accessOf(action: string): 'view' | 'edit' {
  return action === 'edit' || action === 'editnew' ? 'edit' : 'view';
}
