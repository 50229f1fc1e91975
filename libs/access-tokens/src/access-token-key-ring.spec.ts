import { accessTokenKeyId, accessTokenKeyRing } from './access-token-key-ring';
import { AccessTokenService } from './access-token.service';

const permissions = { read: true, write: false, rename: false, delete: false, createSibling: false, share: false };
const input = { tenantId: 't-1', fileId: 'f-1', userId: 'alice', permissions, ttlMs: 60_000 };

describe('accessTokenKeyRing', () => {
  const oldKey = 'o'.repeat(43);
  const newKey = 'n'.repeat(43);

  it('names each key by a hash of itself: the same in every process, different for every key, never the key', () => {
    expect(accessTokenKeyId(oldKey)).toBe(accessTokenKeyId('o'.repeat(43)));
    expect(accessTokenKeyId(oldKey)).not.toBe(accessTokenKeyId(newKey));
    expect(accessTokenKeyId(oldKey)).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(accessTokenKeyId(oldKey)).not.toContain('ooo');
  });

  it('signs with the signing key and verifies with every key of the ring', async () => {
    const before = new AccessTokenService(accessTokenKeyRing(oldKey));
    const during = new AccessTokenService(accessTokenKeyRing(newKey, [oldKey]));
    const after = new AccessTokenService(accessTokenKeyRing(newKey));
    const { token: oldToken } = await before.issue(input);
    const { token: newToken } = await during.issue(input);
    await expect(during.verify(oldToken)).resolves.toMatchObject({ userId: 'alice' });
    await expect(after.verify(newToken)).resolves.toMatchObject({ userId: 'alice' });
    await expect(after.verify(oldToken)).rejects.toThrow('unknown key id');
  });
});
