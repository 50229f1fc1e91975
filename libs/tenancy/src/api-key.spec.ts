import { apiKeySecretMatches, generateApiKey, parseApiKey } from './api-key';

describe('API keys', () => {
  it('parses a generated key and matches its secret against the stored hash only', () => {
    const { apiKey, keyId, secretHash } = generateApiKey();
    const parsed = parseApiKey(apiKey);
    expect(parsed?.keyId).toBe(keyId);
    expect(secretHash).not.toContain(parsed!.secret);
    expect(apiKeySecretMatches(parsed!.secret, secretHash)).toBe(true);
    expect(
      apiKeySecretMatches(
        parsed!.secret.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
        secretHash,
      ),
    ).toBe(false);
  });

  it.each(['', 'wgk_', 'wgk_zz_abc', 'Bearer wgk_0123456789abcdef_x', `wgk_0123456789abcdef_${'a'.repeat(42)}`])(
    'rejects %p',
    (key) => {
      expect(parseApiKey(key)).toBeNull();
    },
  );
});
