import { createHash } from 'node:crypto';
import { EMPTY_BODY_SHA256, SeenSignatures, signRequest, verifySignedRequest } from './request-signing';

const secret = 'tenant-shared-secret-0123456789';
const now = 1_800_000_000_000;
const body = Buffer.from('new content');
const bodySha = createHash('sha256').update(body).digest('hex');
const request = {
  method: 'PUT',
  pathWithQuery: '/core/v1/files/doc-a/content?userId=bob',
  contentSha256: bodySha,
  timestampMs: now,
};

function verify(headers: Record<string, string>, overrides: Partial<Parameters<typeof verifySignedRequest>[0]> = {}) {
  return verifySignedRequest({
    secrets: [secret],
    method: 'PUT',
    pathWithQuery: request.pathWithQuery,
    headers,
    seen: new SeenSignatures(),
    nowMs: now + 1_000,
    ...overrides,
  });
}

describe('request signing v1', () => {
  it('accepts a correctly signed request and returns the body digest to check', () => {
    expect(verify(signRequest(secret, request))).toEqual({ ok: true, contentSha256: bodySha });
  });

  it('accepts the previous secret during a rotation', () => {
    expect(verify(signRequest('old-secret', request), { secrets: [secret, 'old-secret'] }).ok).toBe(true);
  });

  it('refuses a changed method, path, query, digest or secret', () => {
    const headers = signRequest(secret, request);
    expect(verify(headers, { method: 'DELETE' })).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verify(headers, { pathWithQuery: '/core/v1/files/doc-b/content?userId=bob' })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verify(headers, { pathWithQuery: '/core/v1/files/doc-a/content?userId=alice' })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verify({ ...headers, 'x-gateway-content-sha256': EMPTY_BODY_SHA256 })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verify(signRequest('another-secret', request))).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a timestamp outside the window, either way', () => {
    expect(verify(signRequest(secret, { ...request, timestampMs: now - 10 * 60 * 1000 }))).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    });
    expect(verify(signRequest(secret, { ...request, timestampMs: now + 10 * 60 * 1000 }))).toEqual({
      ok: false,
      reason: 'stale_timestamp',
    });
  });

  it('gives two equal requests signed in the same millisecond different signatures (fresh nonces)', () => {
    const seen = new SeenSignatures();
    expect(verify(signRequest(secret, request), { seen }).ok).toBe(true);
    expect(verify(signRequest(secret, request), { seen }).ok).toBe(true);
    const pinned = signRequest(secret, { ...request, nonce: 'the-same-nonce-twice' });
    expect(signRequest(secret, { ...request, nonce: 'the-same-nonce-twice' })).toEqual(pinned);
    expect(verify({ ...pinned, 'x-gateway-nonce': 'another-nonce-value' })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
  });

  it('refuses a replay within the window', () => {
    const seen = new SeenSignatures();
    const headers = signRequest(secret, request);
    expect(verify(headers, { seen }).ok).toBe(true);
    expect(verify(headers, { seen })).toEqual({ ok: false, reason: 'replayed' });
  });

  it('refuses missing or malformed headers', () => {
    expect(verify({})).toEqual({ ok: false, reason: 'missing_signature' });
    expect(verify({ ...signRequest(secret, request), 'x-gateway-timestamp': 'yesterday' })).toEqual({
      ok: false,
      reason: 'malformed_headers',
    });
  });
});
