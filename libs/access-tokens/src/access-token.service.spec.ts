import { SignJWT } from 'jose';
import {
  ACCESS_TOKEN_MAX_TTL_MS,
  AccessTokenService,
  ExpiredAccessTokenError,
  InvalidAccessTokenError,
} from './access-token.service';

const permissions = { read: true, write: true, rename: false, delete: false, createSibling: true, share: false };
const input = { tenantId: 't-1', fileId: 'f-1', userId: 'alice', permissions, ttlMs: 60_000 };

describe('AccessTokenService', () => {
  const service = new AccessTokenService({ current: 'k2', keys: { k1: 'a'.repeat(32), k2: 'b'.repeat(32) } });

  it('round-trips tenant, file, user, permissions and the expiry WOPI reports as access_token_ttl', async () => {
    const before = Date.now();
    const { token, claims } = await service.issue(input);
    expect(await service.verify(token)).toEqual(claims);
    expect(claims).toMatchObject({ tenantId: 't-1', fileId: 'f-1', userId: 'alice', permissions });
    expect(claims.expiresAtMs % 1000).toBe(0);
    expect(claims.expiresAtMs).toBeGreaterThan(before + 58_000);
    expect(claims.expiresAtMs).toBeLessThanOrEqual(before + 60_000);
    expect(claims.issuedAtMs).toBeGreaterThanOrEqual(before);
    expect(claims.issuedAtMs).toBeLessThanOrEqual(Date.now());
  });

  it('starts a session with every new token, and a renewed token continues the session', async () => {
    const first = await service.issue(input);
    const second = await service.issue(input);
    expect(first.claims.sessionId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(second.claims.sessionId).not.toBe(first.claims.sessionId);
    const renewed = await service.issue({ ...input, sessionId: first.claims.sessionId });
    expect(renewed.claims.sessionId).toBe(first.claims.sessionId);
    expect(renewed.claims.tokenId).not.toBe(first.claims.tokenId);
    expect((await service.verify(renewed.token)).sessionId).toBe(first.claims.sessionId);
  });

  it('names the WOPI-client profile of the session when given one, and none otherwise', async () => {
    const withProfile = await service.issue({ ...input, clientProfileId: 'profile-1' });
    expect((await service.verify(withProfile.token)).clientProfileId).toBe('profile-1');
    const without = await service.issue(input);
    expect(await service.verify(without.token)).not.toHaveProperty('clientProfileId');
  });

  it('keeps the issue time to the millisecond, so a revocation can tell just before from just after', async () => {
    const { token, claims } = await service.issue(input);
    expect((await service.verify(token)).issuedAtMs).toBe(claims.issuedAtMs);
  });

  it('caps the lifetime at ACCESS_TOKEN_MAX_TTL_MS, however long a tenant asks for', async () => {
    const { claims } = await service.issue({ ...input, ttlMs: 7 * ACCESS_TOKEN_MAX_TTL_MS });
    expect(claims.expiresAtMs).toBeLessThanOrEqual(Date.now() + ACCESS_TOKEN_MAX_TTL_MS);
    expect(claims.expiresAtMs).toBeGreaterThan(Date.now() + ACCESS_TOKEN_MAX_TTL_MS - 2_000);
  });

  it('treats a token without a session claim (issued before sessions had ids) as its own session', async () => {
    const token = await new SignJWT({ tid: 't-1', fid: 'f-1', p: 'r' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k2' })
      .setIssuer('wopi-gateway')
      .setAudience('wopi')
      .setSubject('alice')
      .setJti('legacy-jti')
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode('b'.repeat(32)));
    expect(await service.verify(token)).toMatchObject({ tokenId: 'legacy-jti', sessionId: 'legacy-jti' });
  });

  it('keeps tokens short enough for a URL (WOPI: at most 1500 characters encoded)', async () => {
    const { token } = await service.issue({ ...input, userId: 'u'.repeat(256), fileId: 'f'.repeat(22) });
    expect(encodeURIComponent(token).length).toBeLessThan(1500);
  });

  it('verifies tokens signed with an older key after rotation', async () => {
    const old = new AccessTokenService({ current: 'k1', keys: { k1: 'a'.repeat(32) } });
    const { token } = await old.issue(input);
    await expect(service.verify(token)).resolves.toMatchObject({ userId: 'alice' });
  });

  describe('a token verified before (kept per process)', () => {
    afterEach(() => jest.useRealTimers());

    it('is still refused once it expires', async () => {
      const fresh = new AccessTokenService({ current: 'k1', keys: { k1: 'a'.repeat(32) } });
      const { token, claims } = await fresh.issue({ ...input, ttlMs: 5_000 });
      expect(await fresh.verify(token)).toEqual(claims);
      jest.useFakeTimers({ now: claims.expiresAtMs - 1, doNotFake: ['nextTick', 'setImmediate'] });
      expect(await fresh.verify(token)).toEqual(claims);
      jest.setSystemTime(claims.expiresAtMs);
      await expect(fresh.verify(token)).rejects.toThrow(ExpiredAccessTokenError);
    });

    it('does not vouch for any other text: a tampered copy of it is refused', async () => {
      const { token } = await service.issue(input);
      await service.verify(token);
      const [header, payload, signature] = token.split('.');
      const forged = JSON.parse(Buffer.from(payload, 'base64url').toString());
      forged.p = 'rwndcs';
      await expect(
        service.verify([header, Buffer.from(JSON.stringify(forged)).toString('base64url'), signature].join('.')),
      ).rejects.toThrow(InvalidAccessTokenError);
      await expect(service.verify(`${token}x`)).rejects.toThrow(InvalidAccessTokenError);
    });

    it('hands out claims no caller can change for the next request', async () => {
      const { token } = await service.issue(input);
      const claims = await service.verify(token);
      expect(() => {
        (claims.permissions as { write: boolean }).write = false;
      }).toThrow(TypeError);
      expect((await service.verify(token)).permissions.write).toBe(true);
    });
  });

  it('refuses tampered, expired, foreign and unsigned tokens', async () => {
    const { token } = await service.issue(input);
    const [header, payload, signature] = token.split('.');
    const forged = JSON.parse(Buffer.from(payload, 'base64url').toString());
    forged.tid = 't-2';
    await expect(
      service.verify([header, Buffer.from(JSON.stringify(forged)).toString('base64url'), signature].join('.')),
    ).rejects.toThrow(InvalidAccessTokenError);

    const { token: expired } = await service.issue({ ...input, ttlMs: -5_000 });
    await expect(service.verify(expired)).rejects.toThrow(ExpiredAccessTokenError);
    const [expiredHeader, expiredPayload] = expired.split('.');
    // Expiry is only reported for a token whose signature holds.
    await expect(service.verify(`${expiredHeader}.${expiredPayload}.${signature}`)).rejects.not.toThrow(
      ExpiredAccessTokenError,
    );

    const other = new AccessTokenService({ current: 'k2', keys: { k2: 'c'.repeat(32) } });
    await expect(service.verify((await other.issue(input)).token)).rejects.toThrow(InvalidAccessTokenError);

    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    await expect(service.verify(unsigned)).rejects.toThrow(InvalidAccessTokenError);
    await expect(service.verify('not a token')).rejects.toThrow(InvalidAccessTokenError);
  });

  it('refuses a correctly signed token that lacks the gateway claims', async () => {
    const token = await new SignJWT({ tid: 't-1' })
      .setProtectedHeader({ alg: 'HS256', kid: 'k2' })
      .setIssuer('wopi-gateway')
      .setAudience('wopi')
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode('b'.repeat(32)));
    await expect(service.verify(token)).rejects.toThrow('missing claims');
  });
});
