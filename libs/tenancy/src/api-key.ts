import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'wgk';
const KEY_PATTERN = /^wgk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface ParsedApiKey {
  /** Public part: finds the row, safe to log. */
  keyId: string;
  secret: string;
}

/** A new API key (`wgk_<keyId>_<secret>`); only `secretHash` is stored, the key is shown once. */
export function generateApiKey(): { apiKey: string; keyId: string; secretHash: string } {
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { apiKey: `${PREFIX}_${keyId}_${secret}`, keyId, secretHash: hashApiKeySecret(secret) };
}

export function parseApiKey(apiKey: string): ParsedApiKey | null {
  const match = KEY_PATTERN.exec(apiKey);
  return match ? { keyId: match[1], secret: match[2] } : null;
}

export function hashApiKeySecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented secret with the stored hash. */
export function apiKeySecretMatches(secret: string, storedHash: string): boolean {
  const presented = Buffer.from(hashApiKeySecret(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
