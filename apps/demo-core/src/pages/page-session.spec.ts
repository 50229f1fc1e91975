import { PageSessions, readCookie, SESSION_TTL_MS } from './page-session';

describe('PageSessions', () => {
  const sessions = new PageSessions('a-secret-of-sixteen-or-more');
  const now = Date.UTC(2026, 0, 1);

  it('accepts its own cookie for a known user until it expires', () => {
    const cookie = sessions.issue('bob', now);
    expect(sessions.verify(cookie, now + 1000)).toBe('bob');
    expect(sessions.verify(cookie, now + SESSION_TTL_MS)).toBeUndefined();
  });

  it('refuses a changed user or expiry, another secret, and unknown users', () => {
    const cookie = sessions.issue('bob', now);
    expect(sessions.verify(cookie.replace(/^bob/, 'alice'), now)).toBeUndefined();
    const [user, expires, signature] = cookie.split('.');
    expect(sessions.verify(`${user}.${Number(expires) + 1}.${signature}`, now)).toBeUndefined();
    expect(new PageSessions('another-secret-of-sixteen').verify(cookie, now)).toBeUndefined();
    expect(sessions.verify(sessions.issue('mallory', now), now)).toBeUndefined();
    expect(sessions.verify(undefined, now)).toBeUndefined();
    expect(sessions.verify('garbage', now)).toBeUndefined();
  });
});

describe('readCookie', () => {
  it('finds one cookie among several, keeping = in its value', () => {
    expect(readCookie('a=1; demo_core_session=x=y; b=2', 'demo_core_session')).toBe('x=y');
    expect(readCookie(undefined, 'a')).toBeUndefined();
  });
});
