import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Request signing of the core-app contract, version 1 (docs/core-app-integration.md).
 *
 * The gateway signs every call with the tenant's shared secret; the core app verifies it. The
 * signature covers the method, the path with its query string, a timestamp, a random nonce and the
 * SHA-256 of the body, so a request cannot be altered, replayed after the window, or replayed within
 * it (the verifier remembers signatures it has seen until they expire). The nonce keeps two equal
 * requests signed in the same millisecond (by two gateway instances) from looking like a replay. This file has no
 * dependencies beyond node:crypto so that core-app teams can copy or port it as it is.
 */
export const SignatureHeader = {
  Timestamp: 'x-gateway-timestamp',
  Nonce: 'x-gateway-nonce',
  ContentSha256: 'x-gateway-content-sha256',
  Signature: 'x-gateway-signature',
} as const;

export const SIGNATURE_VERSION = 'v1';
/** How far a request's timestamp may be from the verifier's clock (either way). */
export const DEFAULT_REPLAY_WINDOW_MS = 5 * 60 * 1000;
/** SHA-256 of zero bytes: the body digest of a request without a body. */
export const EMPTY_BODY_SHA256 = createHash('sha256').digest('hex');

export interface SignableRequest {
  method: string;
  /** Path and query string exactly as sent on the request line (e.g. `/core/v1/files/a?userId=b`). */
  pathWithQuery: string;
  /** Hex SHA-256 of the body; EMPTY_BODY_SHA256 when there is none. */
  contentSha256: string;
  timestampMs: number;
  /** 16 to 64 characters of base64url; a fresh random one per request (signRequest makes one when omitted). */
  nonce?: string;
}

const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

/** A fresh nonce: 16 random bytes, base64url. */
export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

/** `v1\nMETHOD\npathWithQuery\ntimestampMs\nnonce\ncontentSha256hex`: what the HMAC covers. */
export function canonicalRequest(request: SignableRequest & { nonce: string }): string {
  return [
    SIGNATURE_VERSION,
    request.method.toUpperCase(),
    request.pathWithQuery,
    String(request.timestampMs),
    request.nonce,
    request.contentSha256.toLowerCase(),
  ].join('\n');
}

function hmac(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text, 'utf8').digest('base64url');
}

/** The headers to add to a request. */
export function signRequest(secret: string, request: SignableRequest): Record<string, string> {
  const nonce = request.nonce ?? newNonce();
  return {
    [SignatureHeader.Timestamp]: String(request.timestampMs),
    [SignatureHeader.Nonce]: nonce,
    [SignatureHeader.ContentSha256]: request.contentSha256.toLowerCase(),
    [SignatureHeader.Signature]: `${SIGNATURE_VERSION}=${hmac(secret, canonicalRequest({ ...request, nonce }))}`,
  };
}

/** Remembers signatures until they leave the replay window; one per verifier process. */
export class SeenSignatures {
  private readonly expiries = new Map<string, number>();

  /** False when the signature was already seen (a replay). */
  remember(signature: string, expiresAtMs: number, nowMs: number): boolean {
    if (this.expiries.size > 10_000) for (const [s, at] of this.expiries) if (at <= nowMs) this.expiries.delete(s);
    const known = this.expiries.get(signature);
    if (known !== undefined && known > nowMs) return false;
    this.expiries.set(signature, expiresAtMs);
    return true;
  }
}

export type SignatureCheck =
  | { ok: true; contentSha256: string }
  | { ok: false; reason: 'missing_signature' | 'malformed_headers' | 'stale_timestamp' | 'bad_signature' | 'replayed' };

export interface VerifyOptions {
  /** Secrets accepted (current and, during a rotation, the previous one). */
  secrets: string[];
  method: string;
  pathWithQuery: string;
  headers: Record<string, string | string[] | undefined>;
  seen: SeenSignatures;
  nowMs?: number;
  replayWindowMs?: number;
}

/**
 * Verifies method, path, timestamp and signature. The body digest it returns must then be
 * compared with the SHA-256 of the body actually received (before acting on the body).
 */
export function verifySignedRequest(options: VerifyOptions): SignatureCheck {
  const now = options.nowMs ?? Date.now();
  const window = options.replayWindowMs ?? DEFAULT_REPLAY_WINDOW_MS;
  const header = (name: string) => {
    const value = options.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const timestamp = header(SignatureHeader.Timestamp);
  const nonce = header(SignatureHeader.Nonce);
  const contentSha256 = header(SignatureHeader.ContentSha256);
  const signature = header(SignatureHeader.Signature);
  if (!timestamp || !nonce || !contentSha256 || !signature) return { ok: false, reason: 'missing_signature' };
  if (!/^\d{1,15}$/.test(timestamp) || !NONCE_PATTERN.test(nonce) || !/^[0-9a-f]{64}$/i.test(contentSha256))
    return { ok: false, reason: 'malformed_headers' };
  const timestampMs = Number(timestamp);
  if (Math.abs(now - timestampMs) > window) return { ok: false, reason: 'stale_timestamp' };

  const presented = Buffer.from(signature);
  const request = { method: options.method, pathWithQuery: options.pathWithQuery, contentSha256, timestampMs, nonce };
  const matches = options.secrets.some((secret) => {
    const expected = Buffer.from(`${SIGNATURE_VERSION}=${hmac(secret, canonicalRequest(request))}`);
    return expected.length === presented.length && timingSafeEqual(expected, presented);
  });
  if (!matches) return { ok: false, reason: 'bad_signature' };
  if (!options.seen.remember(signature, timestampMs + window, now)) return { ok: false, reason: 'replayed' };
  return { ok: true, contentSha256: contentSha256.toLowerCase() };
}
