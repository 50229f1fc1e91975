import { SecretScanner } from './secret-scan';

describe('SecretScanner', () => {
  const token = 'eyJhbGciOiJIUzI1NiJ9.eyJ0IjoxfQ.c2lnbmF0dXJl';
  const scanner = new SecretScanner().add('access token', token).add('credential', 'core-app-credential-123');

  it('finds a handed-out secret in plain, URL-encoded and base64 form', () => {
    expect(scanner.scan('log', `{"url":"/wopi/files/a?x=${token}"}`).map((f) => f.what)).toContain('access token');
    expect(scanner.scan('log', encodeURIComponent(`t=${token}`).replace('t%3D', '')).map((f) => f.what)).toContain(
      'access token',
    );
    expect(
      scanner.scan('export', Buffer.from(Buffer.from('core-app-credential-123').toString('base64'))).map((f) => f.what),
    ).toEqual(['credential']);
  });

  it('finds unredacted access_token parameters in any spelling, API keys and bearer tokens', () => {
    for (const text of [
      'url.query=access_token=abcdefgh12345',
      '/x?access%5Ftoken=abcdefgh12345',
      '/x?ACCESS_TOKEN=abcdefgh12345',
      '/x?%61ccess_token=abcdefgh12345',
      'key wgk_0123456789_abcdefabcdef',
      'Authorization: Bearer abcdefghijklmnop',
    ])
      expect(new SecretScanner().scan('text', text)).toHaveLength(1);
  });

  it('finds signed JWTs, WOPI proof values and private keys whatever their value', () => {
    const jwt =
      'eyJhbGciOiJIUzI1NiIsImtpZCI6ImsxIn0.eyJ0ZW5hbnQiOiJhY21lIiwiZmlsZSI6ImYxIn0.Qm9ndXNTaWduYXR1cmVCeXRlc0hlcmU';
    const proof = 'A'.repeat(120) + 'b+/c9'.repeat(40) + '==';
    for (const [text, what] of [
      [`{"msg":"saved","token":"${jwt}"}`, 'JWT'],
      [`/wopi/files/f1?t=${jwt}&x=1`, 'JWT'],
      [`{"x-wopi-proof":"${proof}"}`, 'WOPI proof header'],
      [`X-WOPI-ProofOld: ${proof}`, 'WOPI proof header'],
      // An OTLP/JSON span attribute: key and value apart.
      [`{"key":"http.request.header.x-wopi-proof","value":{"stringValue":"${proof}"}}`, 'WOPI proof header'],
      ['-----BEGIN PRIVATE KEY-----\nMIIE', 'private key'],
      ['-----BEGIN RSA PRIVATE KEY-----\nMIIE', 'private key'],
    ])
      expect(new SecretScanner().scan('text', text).map((f) => f.what)).toEqual([what]);
  });

  it('says where in the text a secret starts', () => {
    const text = 'abc key wgk_0123456789_abcdef';
    expect(new SecretScanner().scan('text', text)).toEqual([
      { what: 'gateway API key', where: 'text', offset: text.indexOf('wgk_'), excerpt: 'abc key <<secret>>' },
    ]);
  });

  it('accepts redacted values and look-alikes that are not secrets', () => {
    for (const text of [
      '/wopi/files/a?access_token=[Redacted]&access_token_ttl=1700000000000',
      '/x?access%5Ftoken=%5BRedacted%5D',
      'Authorization: Bearer [Redacted]',
      // An unsigned JWT (alg none) carries no secret; a base64 blob is no JWT.
      'eyJhbGciOiJub25lIn0.eyJ0ZW5hbnQiOiJhY21lIn0.',
      'eyJhbGciOiJIUzI1NiJ9 is a header only',
      '{"req":{"headers":{"x-wopi-proof":"[Redacted]","x-wopi-proofold":"[Redacted]"}}}',
      'x-wopi-proof header present: true',
      '-----BEGIN PUBLIC KEY-----\nMIIB',
    ])
      expect(new SecretScanner().scan('text', text)).toEqual([]);
  });
});
