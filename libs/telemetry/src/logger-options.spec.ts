import type { IncomingMessage } from 'node:http';
import { redactUrl, requestIdFor } from './logger-options';

describe('redactUrl', () => {
  it('removes access tokens, tickets and API keys from query strings', () => {
    expect(redactUrl('/wopi/files/abc?access_token=SECRET&access_token_ttl=0')).toBe(
      '/wopi/files/abc?access_token=[Redacted]&access_token_ttl=0',
    );
    expect(redactUrl('/host/abc?ticket=SECRET')).toBe('/host/abc?ticket=[Redacted]');
    expect(redactUrl('/x?a=1&ACCESS_TOKEN=SECRET#f')).toBe('/x?a=1&ACCESS_TOKEN=[Redacted]#f');
    expect(redactUrl('/healthz')).toBe('/healthz');
  });
});

describe('requestIdFor', () => {
  const req = (id?: string) => ({ headers: id === undefined ? {} : { 'x-request-id': id } }) as IncomingMessage;

  it('keeps a sane X-Request-ID from the caller and replaces anything else', () => {
    expect(requestIdFor(req('abc-123'))).toBe('abc-123');
    expect(requestIdFor(req('bad id with spaces'))).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFor(req('x'.repeat(200)))).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFor(req())).toMatch(/^[0-9a-f-]{36}$/);
  });
});
