import { createHmac, timingSafeEqual } from 'node:crypto';
import { findDemoUser } from '../users/demo-users';

/** The cookie that says who is signed in to demo-core's pages. */
export const SESSION_COOKIE = 'demo_core_session';
/** The one password of every demo account, shown on the sign-in page: this is a test system. */
export const DEMO_PASSWORD = 'demo';
/** Eight hours: a working day of testing, then sign in again. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;

/**
 * A signed cookie `<userId>.<expiresAtMs>.<HMAC>`: no server-side session table, nothing to
 * clean up, and a restart keeps users signed in. The key is derived from the API secret (a
 * separate purpose string, so a page cookie can never pass as a request signature), which the
 * demo already keeps secret; a production core app has its own sign-in and session store.
 */
export class PageSessions {
  private readonly key: Buffer;

  constructor(apiSecret: string) {
    this.key = createHmac('sha256', apiSecret).update('demo-core page sessions v1').digest();
  }

  issue(userId: string, nowMs = Date.now()): string {
    const payload = `${userId}.${nowMs + SESSION_TTL_MS}`;
    return `${payload}.${this.sign(payload)}`;
  }

  /** The signed-in user's id, or undefined for a missing, forged, expired or unknown-user cookie. */
  verify(cookie: string | undefined, nowMs = Date.now()): string | undefined {
    if (cookie === undefined) return undefined;
    const match = /^([a-z0-9-]+)\.(\d+)\.([A-Za-z0-9_-]+)$/.exec(cookie);
    if (match === null) return undefined;
    const [, userId, expiresAt, signature] = match;
    const expected = Buffer.from(this.sign(`${userId}.${expiresAt}`));
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    if (Number(expiresAt) <= nowMs) return undefined;
    return findDemoUser(userId) === undefined ? undefined : userId;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}

/** The value of one cookie in a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
