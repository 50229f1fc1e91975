import { redactAttributes, redactSecrets } from './secret-redaction';

describe('redactSecrets', () => {
  it('removes access tokens, tickets and API keys from query strings, keeping access_token_ttl', () => {
    expect(redactSecrets('/wopi/files/abc?access_token=SECRET&access_token_ttl=0')).toBe(
      '/wopi/files/abc?access_token=[Redacted]&access_token_ttl=0',
    );
    expect(redactSecrets('/host/abc?ticket=SECRET')).toBe('/host/abc?ticket=[Redacted]');
    expect(redactSecrets('/x?a=1&ACCESS_TOKEN=SECRET#f')).toBe('/x?a=1&ACCESS_TOKEN=[Redacted]#f');
    expect(redactSecrets('/healthz')).toBe('/healthz');
  });

  it('recognises the parameter name in every percent-encoded spelling', () => {
    for (const name of [
      'access%5Ftoken',
      'access%5ftoken',
      'Access_Token',
      '%61ccess_token',
      'ACCESS%5FTOKEN',
      'access%5f%74oken',
    ]) {
      expect(redactSecrets(`/wopi/files/abc?x=1&${name}=SECRET.PART&y=2`)).toBe(
        `/wopi/files/abc?x=1&${name}=[Redacted]&y=2`,
      );
    }
    // url.query carries no leading "?"; an encoded "=" is still the end of the name.
    expect(redactSecrets('access_token=SECRET&access_token_ttl=5')).toBe('access_token=[Redacted]&access_token_ttl=5');
    expect(redactSecrets('a=b&access_token%3DSECRET')).toBe('a=b&access_token%3D[Redacted]');
    expect(redactSecrets('?access_token_ttl=123')).toBe('?access_token_ttl=123');
  });

  it('removes gateway API keys and bearer tokens from free text', () => {
    expect(redactSecrets('refused wgk_abcdEFGH1234_secretpart for tenant')).toBe('refused [Redacted] for tenant');
    expect(redactSecrets('header was Bearer eyJhbGciOi.x.y')).toBe('header was Bearer [Redacted]');
  });
});

describe('redactAttributes', () => {
  it('redacts URL attributes of every semantic-conventions version and drops credential headers', () => {
    const attributes = {
      'url.query': 'access_token=SECRET',
      'url.full': 'http://gw/wopi/files/a?access%5Ftoken=SECRET',
      'http.target': '/wopi/files/a?access_token=SECRET',
      'http.url': 'http://gw/wopi/files/a?ACCESS_TOKEN=SECRET',
      'http.request.header.authorization': ['Bearer SECRET'],
      'http.request.header.x-wopi-proof': ['SECRET'],
      'http.response.status_code': 200,
    };
    const redacted = redactAttributes(attributes);
    expect(JSON.stringify(redacted)).not.toContain('SECRET');
    expect(redacted['http.response.status_code']).toBe(200);
    expect(redacted['url.full']).toBe('http://gw/wopi/files/a?access%5Ftoken=[Redacted]');
  });

  it('returns the same object when nothing is secret', () => {
    const attributes = { 'url.path': '/wopi/files/a', 'http.request.method': 'GET' };
    expect(redactAttributes(attributes)).toBe(attributes);
  });
});
