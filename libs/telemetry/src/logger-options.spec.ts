import type { IncomingMessage } from 'node:http';
import { requestIdFor } from './logger-options';

describe('requestIdFor', () => {
  const req = (id?: string) => ({ headers: id === undefined ? {} : { 'x-request-id': id } }) as IncomingMessage;

  it('keeps a sane X-Request-ID from the caller and replaces anything else', () => {
    expect(requestIdFor(req('abc-123'))).toBe('abc-123');
    expect(requestIdFor(req('bad id with spaces'))).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFor(req('x'.repeat(200)))).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestIdFor(req())).toMatch(/^[0-9a-f-]{36}$/);
  });
});
