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

  it('accepts redacted values and look-alikes that are not secrets', () => {
    for (const text of [
      '/wopi/files/a?access_token=[Redacted]&access_token_ttl=1700000000000',
      '/x?access%5Ftoken=%5BRedacted%5D',
      'Authorization: Bearer [Redacted]',
    ])
      expect(new SecretScanner().scan('text', text)).toEqual([]);
  });
});
